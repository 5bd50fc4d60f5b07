import { describe, expect, it } from 'vitest';
import { MemoryStore, newContactState, newDesk, type TimerRecord } from '../src/internal.ts';
import { runStoreContract } from '../src/store/store.contract.ts';
import { DAY, HOUR, T0 } from './helpers.ts';

runStoreContract('memory', async () => new MemoryStore());

const timer = (id: string, contactId: string, dueAt: number): TimerRecord => ({
  id,
  contactId,
  journeyId: 'j',
  run: 1,
  node: 'wait',
  timer: 'wait',
  dueAt,
});

describe('memory store: timers cancelled long before they are due', () => {
  it('fires exactly the live timers, in due order, after thousands were replaced (the due heap is rebuilt on the way)', async () => {
    const store = new MemoryStore();
    const live: TimerRecord[] = [];
    const claim = (limit: number) =>
      store.claimDueTimers({ owner: 'p1', dueBy: T0 + 8 * DAY, limit, now: T0, leaseUntil: T0 + HOUR });
    const early: TimerRecord[] = [];
    // Each contact schedules a week-long timeout, then events replace it twice, last with a wait of a few
    // hours: the dead timers outnumber the live ones long before they come up, as under steady traffic.
    for (let i = 0; i < 3000; i++) {
      const id = `c${i}`;
      const state = newContactState(id, T0);
      await store.commit({
        contactId: id,
        expectedVersion: 0,
        state: { ...state, timers: [timer(`t${i}a`, id, T0 + 7 * DAY)] },
        effects: [],
      });
      await store.commit({
        contactId: id,
        expectedVersion: 1,
        state: { ...state, version: 1, timers: [timer(`t${i}b`, id, T0 + 6 * DAY)] },
        effects: [],
      });
      const wait = timer(`t${i}c`, id, T0 + ((i * 7919) % 48) * HOUR);
      const keptTimers = i % 10 === 0 ? [timer(`t${i}b`, id, T0 + 6 * DAY), wait] : [wait]; // every tenth keeps two
      await store.commit({
        contactId: id,
        expectedVersion: 2,
        state: { ...state, version: 2, timers: keptTimers },
        effects: [],
      });
      live.push(...keptTimers);
      // Timers claimed midway stay leased through the rebuilds that follow: never handed out twice.
      if (i === 1000) early.push(...(await claim(5)));
    }
    const rest: TimerRecord[] = [];
    for (let batch = await claim(100); batch.length > 0; batch = await claim(100)) rest.push(...batch);
    const byDue = (a: TimerRecord, b: TimerRecord) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : 1);
    expect(early).toHaveLength(5);
    expect(rest).toEqual([...rest].sort(byDue));
    expect([...early, ...rest].map((t) => t.id).sort()).toEqual(live.map((t) => t.id).sort());
    expect(await store.nextDueAt()).toBeNull();
  });
});

describe('memory store: opening a snapshot', () => {
  it('takes an outbox of any size (200k undelivered effects)', async () => {
    const effect = { type: 'event' as const, name: 'Journey Entered', contactId: 'c1', properties: {}, at: T0 };
    const outbox = Array.from({ length: 200_000 }, (_, i) => ({ seq: i + 1, effect }));
    const store = MemoryStore.fromSnapshot({
      contacts: [],
      messages: [],
      desk: { version: 0, state: newDesk() },
      outbox,
      seq: 200_000,
    });
    expect((await store.readOutbox(199_998, 10)).map((e) => e.seq)).toEqual([199_999, 200_000]);
  });
});
