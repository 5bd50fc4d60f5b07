import { DurationInput } from '../editor/DurationInput.tsx';
import { Field } from '../editor/fields.tsx';
import { durationWords } from '../model/duration.ts';
import { portSlot, str } from '../model/slots.ts';
import type { NodeTypeDef } from './nodeType.ts';

/** wait: holds the contact for a duration, then `next`. */
export const waitType: NodeTypeDef = {
  type: 'wait',
  palette: { title: 'Wait', hint: 'Hold the contact for a while' },
  template: ({ id }) => ({ id, type: 'wait', duration: 'P1D' }),
  ports: (node) => [portSlot(node, 'next', 'next', ['next'])],
  summary: (node) => [`for ${durationWords(str(node.duration)) || '?'}`],
  Form: ({ node, set, disabled }) => (
    <Field label="Duration">
      <DurationInput
        ariaLabel="duration"
        value={str(node.duration)}
        onCommit={(v) => set('duration', v ?? '')}
        disabled={disabled}
      />
    </Field>
  ),
};
