import { Field, TextInput } from '../editor/fields.tsx';
import { str } from '../model/slots.ts';
import type { NodeTypeDef } from './nodeType.ts';

/** exit: ends the journey with an outcome; no ports. */
export const exitType: NodeTypeDef = {
  type: 'exit',
  palette: { title: 'Exit', hint: 'End the journey with an outcome' },
  template: ({ id }) => ({ id, type: 'exit', outcome: 'completed' }),
  ports: () => [],
  summary: (node) => [`outcome: ${str(node.outcome) || '?'}`],
  Form: ({ node, set, disabled }) => (
    <Field label="Outcome" hint="what reports count this exit as, e.g. converted">
      <TextInput
        ariaLabel="outcome"
        value={str(node.outcome)}
        onCommit={(v) => set('outcome', v)}
        disabled={disabled}
      />
    </Field>
  ),
};
