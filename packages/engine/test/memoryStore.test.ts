import { describe, expect, it } from 'vitest';
import { isLate, MemoryStore, newContactState, newDesk, type TimerRecord } from '../src/internal.ts';
import { handoff as handoffRecord, runStoreContract } from '../src/store/store.contract.ts';
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

describe('memory store: a contact released', () => {
  it('leaves with its timers and handoffs, from every index, and the others stay', async () => {
    const store = new MemoryStore();
    const handoff = (id: string, contactId: string, assignee: string | null) =>
      handoffRecord({
        id,
        contactId,
        assignee,
        queue: assignee === null ? 'q' : null,
        createdAt: T0,
        wasUnassigned: assignee === null,
      });
    for (const id of ['a', 'b']) {
      await store.commit({
        contactId: id,
        expectedVersion: 0,
        state: {
          ...newContactState(id, T0),
          timers: [timer(`t-${id}`, id, T0 + HOUR)],
          handoffs: [handoff(`h-${id}1`, id, 'ana'), handoff(`h-${id}2`, id, null)],
        },
        effects: [],
      });
    }
    const released = store.release('a');
    expect(released?.contact.id).toBe('a');
    expect(store.release('a')).toBeUndefined();
    expect(await store.contactIds()).toEqual(['b']);
    expect(await store.handoff('h-a1')).toBeUndefined();
    expect((await store.openHandoffs()).map((h) => h.id)).toEqual(['h-b1', 'h-b2']);
    expect((await store.waitingHandoffs({ limit: 10 })).map((h) => h.id)).toEqual(['h-b2']);
    expect(await store.repLoads()).toEqual({ ana: 1 });
    const claimed = await store.claimDueTimers({
      owner: 'p',
      dueBy: T0 + DAY,
      limit: 10,
      now: T0,
      leaseUntil: T0 + DAY,
    });
    expect(claimed.map((t) => t.id)).toEqual(['t-b']);
  });
});

describe('memory store: a contact adopted', () => {
  it('comes in with its timers and handoffs indexed, as released from another store, and only once', async () => {
    const from = new MemoryStore();
    const state = {
      ...newContactState('a', T0),
      timers: [timer('t-a', 'a', T0 + HOUR)],
      handoffs: [handoffRecord({ id: 'h-a', contactId: 'a', assignee: 'ana', queue: null, createdAt: T0 })],
    };
    await from.commit({ contactId: 'a', expectedVersion: 0, state, effects: [] });
    const moved = structuredClone(from.release('a')!); // (as between threads)
    const to = new MemoryStore();
    to.adopt(moved);
    expect(to.stateOf('a')).toBe(moved);
    expect(to.nextDueNow()).toBe(T0 + HOUR);
    expect(await to.repLoads()).toEqual({ ana: 1 });
    expect((await to.handoff('h-a'))?.contactId).toBe('a');
    expect(() => to.adopt(moved)).toThrow(/a/);
    // Its next commit follows the version it came with.
    await to.commit({ contactId: 'a', expectedVersion: moved.version, state: moved, effects: [] });
    expect(to.stateOf('a')?.version).toBe(moved.version + 1);
  });
});

describe('memory store: the lists of handoffs, kept as handoffs change', () => {
  it('lists the waiting work as it is now once a waiting handoff is assigned, or given back, at the same place in the list', async () => {
    const store = new MemoryStore();
    const ids = (q: Parameters<MemoryStore['handoffs']>[0]) => store.handoffs(q).then((l) => l.map((h) => h.id));
    expect(await ids({ status: 'open', assignee: null })).toEqual([]); // the lists are made now, and kept from here
    const state = newContactState('c1', T0);
    const waiting = handoffRecord({ id: 'h1', contactId: 'c1', queue: 'q', dueAt: T0 + HOUR });
    let version = 0;
    const commit = (h: ReturnType<typeof handoffRecord>) =>
      store.commit({
        contactId: 'c1',
        expectedVersion: version,
        state: { ...state, version: ++version, handoffs: [h] },
        effects: [],
      });
    await commit(waiting);
    expect(await ids({ status: 'open', assignee: null })).toEqual(['h1']);
    // Assigned, its due unchanged (its place in the list is the same): no longer waiting.
    await commit({ ...waiting, assignee: 'ana' });
    expect(await ids({ status: 'open', assignee: null })).toEqual([]);
    expect(await ids({ status: 'open' })).toEqual(['h1']);
    // Rejected back to its queue, its due kept: waiting again.
    await commit({ ...waiting });
    expect(await ids({ status: 'open', assignee: null })).toEqual(['h1']);
    // Closed: in no open list.
    await commit({ ...waiting, status: 'closed' });
    expect(await ids({ status: 'open', assignee: null })).toEqual([]);
    expect(await ids({ status: 'open' })).toEqual([]);
    expect(await ids({ status: 'closed' })).toEqual(['h1']);
  });
});

describe('a late handoff', () => {
  it('is one not accepted whose SLA breached or whose due passed: accepted after its breach, it is not', () => {
    const h = handoffRecord({ id: 'h', contactId: 'c', assignee: 'ana', dueAt: T0 + HOUR });
    expect(isLate(h, T0)).toBe(false);
    expect(isLate(h, T0 + 2 * HOUR)).toBe(true);
    expect(isLate({ ...h, breached: true }, T0)).toBe(true);
    expect(isLate({ ...h, breached: true, acceptedAt: T0 + 2 * HOUR }, T0 + 3 * HOUR)).toBe(false);
    expect(isLate({ ...h, dueAt: null }, T0 + 99 * HOUR)).toBe(false);
  });
});
