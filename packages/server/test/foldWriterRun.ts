import { newContactState, withEvent, type ContactState, type Timeline } from '@baton/engine/internal';
import { LowdbStore } from '../src/index.ts';

export const T = Date.parse('2026-11-23T09:00:00Z');

/** The 990 events the contact had before (version 1). */
export function past(): Timeline {
  let t: Timeline = { history: [] };
  for (let i = 0; i < 990; i++) t = withEvent(t, { name: 'Page Viewed', at: T - (1000 - i) * 60_000, properties: {} });
  return t;
}

/** The event version `v` adds (from version 2 on). */
export const eventOf = (v: number) => ({ name: 'Feature Used', at: T + v * 1000, properties: { n: v } });

/** Commits version after version of contact `long` in `dir`, writing each acknowledged version on stdout. */
export async function run(dir: string): Promise<void> {
  const store = await LowdbStore.open(dir);
  let state: ContactState | undefined = await store.load('long');
  if (state === undefined) {
    const fresh = newContactState('long', T);
    state = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
    await store.commit({ contactId: 'long', expectedVersion: 0, state, effects: [] });
    process.stdout.write('1\n');
  }
  for (;;) {
    const v: number = state.version + 1;
    state = { ...state, contact: { ...state.contact, ...withEvent(state.contact, eventOf(v)) }, version: v };
    await store.commit({ contactId: 'long', expectedVersion: v - 1, state, effects: [] });
    process.stdout.write(`${v}\n`);
  }
}
