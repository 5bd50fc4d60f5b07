import { OptionalCondition } from '../editor/ConditionEditor.tsx';
import { DurationInput } from '../editor/DurationInput.tsx';
import { Field, TextInput } from '../editor/fields.tsx';
import { durationWords } from '../model/duration.ts';
import { isRecord, type DraftNode } from '../model/draft.ts';
import { portSlot, str } from '../model/slots.ts';
import type { NodeTypeDef } from './nodeType.ts';

const untilEvent = (node: DraftNode) => (isRecord(node.until) ? str(node.until.event) : '');
const untilOf = (node: DraftNode): Record<string, unknown> => (isRecord(node.until) ? node.until : {});

/** The condition a marketer starts from when a pause should only count some of the event's arrivals. */
const newWhere = (fields: string[]) => ({
  field: fields.find((f) => f.startsWith('event.properties.')) ?? 'event.properties.name',
  op: 'eq',
  value: '',
});

/** pause: waits until the contact does something (`next`), or a timeout (`onTimeout`). */
export const pauseType: NodeTypeDef = {
  type: 'pause',
  palette: { title: 'Wait for event', hint: 'Until the contact does something, or a timeout' },
  template: ({ id }) => ({ id, type: 'pause', until: { event: 'Email Clicked' }, timeout: 'P3D' }),
  ports: (node) => [
    portSlot(node, 'next', untilEvent(node) || 'next', ['next']),
    // The timeout port exists with a timeout (SPEC §5), or while it still leads somewhere (its edge stays
    // in view, and the problem list says what is missing).
    ...(str(node.timeout) !== '' || str(node.onTimeout) !== ''
      ? [portSlot(node, 'onTimeout', 'timeout', ['onTimeout'])]
      : []),
  ],
  summary: (node) => [
    `until ${untilEvent(node) || '?'}`,
    ...(isRecord(node.until) && node.until.where !== undefined ? ['that meets a condition'] : []),
    node.timeout ? `or after ${durationWords(str(node.timeout))}` : 'no timeout',
  ],
  Form: ({ node, set, fields, disabled }) => {
    const until = untilOf(node);
    return (
      <>
        <Field label="Until event">
          <TextInput
            ariaLabel="until event"
            value={untilEvent(node)}
            onCommit={(event) => set('until', { ...until, event })}
            disabled={disabled}
          />
        </Field>
        <OptionalCondition
          value={until.where}
          fields={fields}
          disabled={disabled}
          lead="and only when"
          removeLabel={`any ${untilEvent(node) || 'such event'} counts`}
          created={() => newWhere(fields)}
          testId="pause-where"
          onChange={(where) =>
            set(
              'until',
              where === undefined
                ? Object.fromEntries(Object.entries(until).filter(([k]) => k !== 'where'))
                : { ...until, where },
            )
          }
        />
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
    );
  },
};
