import { DurationInput } from '../editor/DurationInput.tsx';
import { Field, TextInput } from '../editor/fields.tsx';
import { durationWords } from '../model/duration.ts';
import { isRecord, type DraftNode } from '../model/draft.ts';
import { portSlot, str } from '../model/slots.ts';
import type { NodeTypeDef } from './nodeType.ts';

const untilEvent = (node: DraftNode) => (isRecord(node.until) ? str(node.until.event) : '');

/** pause: waits until the contact does something (`next`), or a timeout (`onTimeout`). */
export const pauseType: NodeTypeDef = {
  type: 'pause',
  palette: { title: 'Wait for event', hint: 'Until the contact does something, or a timeout' },
  template: ({ id }) => ({ id, type: 'pause', until: { event: 'Email Clicked' }, timeout: 'P3D' }),
  ports: (node) => [
    portSlot(node, 'next', untilEvent(node) || 'next', ['next']),
    portSlot(node, 'onTimeout', 'timeout', ['onTimeout']),
  ],
  summary: (node) => [
    `until ${untilEvent(node) || '?'}`,
    node.timeout ? `or after ${durationWords(str(node.timeout))}` : 'no timeout',
  ],
  Form: ({ node, set, disabled }) => (
    <>
      <Field label="Until event">
        <TextInput
          ariaLabel="until event"
          value={untilEvent(node)}
          onCommit={(event) => set('until', { ...(isRecord(node.until) ? node.until : {}), event })}
          disabled={disabled}
        />
      </Field>
      <Field label="Timeout" hint="empty: wait for ever">
        <DurationInput
          ariaLabel="timeout"
          value={str(node.timeout)}
          placeholder="P3D"
          onCommit={(v) => set('timeout', v)}
          disabled={disabled}
        />
      </Field>
    </>
  ),
};
