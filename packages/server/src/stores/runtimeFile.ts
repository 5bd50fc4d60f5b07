import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { z } from 'zod';
import { JsonObject, newDesk, type StoreSnapshot } from '@baton/engine/internal';

/** The snapshot file: the store's data, the first journal generation it does not include, and its last record. */
export interface RuntimeFile extends StoreSnapshot {
  journal: number;
  /** The last journal record (log sequence number) the snapshot holds: replay starts after it. */
  lsn: number;
}

export const EMPTY_RUNTIME: RuntimeFile = {
  contacts: [],
  messages: [],
  desk: { version: 0, state: newDesk() },
  outbox: [],
  seq: 0,
  journal: 0,
  lsn: 0,
};

const count = z.number().int().nonnegative();

/**
 * What `runtime.json` must hold to be opened: the shape the store indexes (contacts with their timers
 * and handoffs, the desk, the outbox). Deeper fields are the engine's own output and are not re-checked,
 * so opening 100k contacts stays fast. Files from before snapshots were numbered have no `lsn` (0).
 */
const RuntimeFileShape = z.object({
  contacts: z.array(
    z.looseObject({
      contact: z.looseObject({ id: z.string(), traits: JsonObject }),
      instances: z.array(JsonObject),
      timers: z.array(z.looseObject({ id: z.string(), dueAt: z.number() })),
      handoffs: z
        .array(z.looseObject({ id: z.string(), status: z.string(), assignee: z.string().nullable() }))
        .default([]),
      version: count,
    }),
  ),
  messages: z.array(z.string()),
  /** When each message was committed, in the order of `messages` (absent in files written before the window). */
  messagesAt: z.array(z.number().nullable()).optional(),
  desk: z.object({ version: count, state: JsonObject }),
  outbox: z.array(z.object({ seq: count, effect: JsonObject })),
  seq: count,
  journal: count,
  lsn: count.default(0),
});

/** The schema `runtime.json` is read with. */
export const RuntimeFileSchema = RuntimeFileShape as unknown as z.ZodType<RuntimeFile>;

/** Writes the snapshot a few hundred records at a time, letting events in between. */
export async function* snapshotChunks(data: RuntimeFile): AsyncGenerator<string> {
  const { contacts, outbox, messages, ...rest } = data;
  yield JSON.stringify(rest).slice(0, -1);
  for (const [name, list, size] of [
    ['messages', messages, 20_000],
    ['outbox', outbox, 2000],
    ['contacts', contacts, 500],
  ] as const) {
    yield `,"${name}":[`;
    for (let i = 0; i < list.length; i += size) {
      yield `${i === 0 ? '' : ','}${(list as readonly unknown[])
        .slice(i, i + size)
        .map((x) => JSON.stringify(x))
        .join(',')}`;
      await yieldToEvents();
    }
    yield ']';
  }
  yield '}';
}
