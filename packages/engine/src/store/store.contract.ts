import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, DuplicateMessageError } from '../model/errors.ts';
import type { ContactState, HandoffRecord, TimerRecord } from '../state/records.ts';
import { newContactState } from '../state/records.ts';
import type { Store } from './store.ts';

const T = Date.parse('2026-11-23T09:00:00Z');

function timer(id: string, contactId: string, dueAt: number): TimerRecord {
  return { id, contactId, journeyId: 'j', run: 1, node: 'wait', timer: 'wait', dueAt };
}

function withTimers(state: ContactState, timers: TimerRecord[]): ContactState {
  return { ...state, timers };
}

/**
 * The contract every Store implementation passes (memory, lowdb, PostgreSQL). A new store is done when
 * this suite is green against it. `newStore` must return an empty store.
 */
export function runStoreContract(name: string, newStore: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    it('returns undefined for a contact it never saw', async () => {
      const store = await newStore();
      expect(await store.load('nobody')).toBeUndefined();
      await store.close();
    });

    it('stores a commit and bumps the version', async () => {
      const store = await newStore();
      const state = newContactState('c1', T, { plan: 'trial' });
      await store.commit({ contactId: 'c1', expectedVersion: 0, state, effects: [] });
      const loaded = await store.load('c1');
      expect(loaded?.contact.traits).toEqual({ plan: 'trial' });
      expect(loaded?.version).toBe(1);
      await store.close();
    });

    it('refuses a commit built on an old version and changes nothing', async () => {
      const store = await newStore();
      const state = newContactState('c1', T);
      await store.commit({ contactId: 'c1', expectedVersion: 0, state, effects: [] });
      const stale = { contactId: 'c1', expectedVersion: 0, state: { ...state, contact: { ...state.contact, traits: { x: 1 } } }, effects: [] };
      await expect(store.commit(stale)).rejects.toBeInstanceOf(ConflictError);
      expect((await store.load('c1'))?.contact.traits).toEqual({});
      await store.close();
    });

    it('applies a messageId once, atomically with the state', async () => {
      const store = await newStore();
      const state = newContactState('c1', T);
      await store.commit({ contactId: 'c1', expectedVersion: 0, state, messageId: 'm1', effects: [] });
      expect(await store.hasMessage('m1')).toBe(true);
      expect(await store.hasMessage('m2')).toBe(false);
      const again = { contactId: 'c1', expectedVersion: 1, state: { ...state, contact: { ...state.contact, traits: { x: 1 } } }, messageId: 'm1', effects: [] };
      await expect(store.commit(again)).rejects.toBeInstanceOf(DuplicateMessageError);
      expect((await store.load('c1'))?.contact.traits).toEqual({});
      await store.close();
    });

    it('claims due timers in due order, each once, under a lease', async () => {
      const store = await newStore();
      const state = withTimers(newContactState('c1', T), [timer('t2', 'c1', T + 2000), timer('t1', 'c1', T + 1000), timer('t3', 'c1', T + 9000)]);
      await store.commit({ contactId: 'c1', expectedVersion: 0, state, effects: [] });
      expect(await store.nextDueAt()).toBe(T + 1000);
      const a = await store.claimDueTimers({ owner: 'a', dueBy: T + 5000, limit: 10, now: T, leaseUntil: T + 60_000 });
      expect(a.map((t) => t.id)).toEqual(['t1', 't2']);
      const b = await store.claimDueTimers({ owner: 'b', dueBy: T + 5000, limit: 10, now: T + 1, leaseUntil: T + 60_000 });
      expect(b).toEqual([]);
      // Owner a died: after its lease runs out, b may claim the same timers.
      const c = await store.claimDueTimers({ owner: 'b', dueBy: T + 5000, limit: 10, now: T + 60_000, leaseUntil: T + 120_000 });
      expect(c.map((t) => t.id)).toEqual(['t1', 't2']);
      await store.close();
    });

    it('forgets timers a commit removes', async () => {
      const store = await newStore();
      const s1 = withTimers(newContactState('c1', T), [timer('t1', 'c1', T + 1000)]);
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: s1, effects: [] });
      await store.commit({ contactId: 'c1', expectedVersion: 1, state: withTimers(s1, []), effects: [] });
      expect(await store.nextDueAt()).toBeNull();
      expect(await store.claimDueTimers({ owner: 'a', dueBy: T + 5000, limit: 10, now: T, leaseUntil: T + 1 })).toEqual([]);
      await store.close();
    });

    it('lists every contact it holds, latest state, in the order of contactIds', async () => {
      const store = await newStore();
      expect(await store.contacts()).toEqual([]);
      await store.commit({ contactId: 'c2', expectedVersion: 0, state: newContactState('c2', T), effects: [] });
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: newContactState('c1', T), effects: [] });
      await store.commit({ contactId: 'c2', expectedVersion: 1, state: newContactState('c2', T, { plan: 'pro' }), effects: [] });
      const all = await store.contacts();
      expect(all.map((s) => s.contact.id)).toEqual(await store.contactIds());
      expect(all.map((s) => [s.contact.id, s.version])).toEqual(expect.arrayContaining([['c1', 1], ['c2', 2]]));
      expect(all.find((s) => s.contact.id === 'c2')?.contact.traits).toEqual({ plan: 'pro' });
      await store.close();
    });

    it('finds a handoff by its id, open or closed, as the latest commit left it', async () => {
      const store = await newStore();
      const h = { id: 'h1', contactId: 'c1', journeyId: 'j', version: 1, run: 1, node: 'n', team: 'sales' as const, record: 'lead', title: '', priority: 'normal',
        status: 'open' as const, queue: 'q', assignee: 'ana', createdAt: T, assignedAt: T, dueAt: null, acceptedAt: null, breached: false, escalatedTo: null,
        escalating: false, outcome: null, closedAt: null, value: null, outcomes: ['won'], rejectedBy: [], wasUnassigned: false, trace: [], why: [],
        context: { traits: {}, scores: {}, timeline: [], path: [], messages: [], talkTrack: null, nextBestActions: [] } } satisfies HandoffRecord;
      expect(await store.handoff('h1')).toBeUndefined();
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: { ...newContactState('c1', T), handoffs: [h] }, effects: [] });
      expect((await store.handoff('h1'))?.status).toBe('open');
      await store.commit({ contactId: 'c1', expectedVersion: 1, state: { ...newContactState('c1', T), handoffs: [{ ...h, status: 'closed', outcome: 'won' }] }, effects: [] });
      expect(await store.handoff('h1')).toMatchObject({ status: 'closed', outcome: 'won', contactId: 'c1' });
      expect(await store.openHandoffs()).toEqual([]);
      expect(await store.handoff('__proto__')).toBeUndefined();
      await store.close();
    });

    it('keeps effects in the outbox in commit order', async () => {
      const store = await newStore();
      const effect = (name: string) => ({ type: 'event' as const, name, contactId: 'c1', properties: {}, at: T });
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: newContactState('c1', T), effects: [effect('A'), effect('B')] });
      await store.commit({ contactId: 'c1', expectedVersion: 1, state: newContactState('c1', T), effects: [effect('C')] });
      const all = await store.readOutbox(0, 10);
      expect(all.map((e) => (e.effect.type === 'event' ? e.effect.name : ''))).toEqual(['A', 'B', 'C']);
      expect((await store.readOutbox(all[1]!.seq, 10)).length).toBe(1);
      await store.close();
    });

    it('forgets effects up to a position and keeps numbering after them', async () => {
      const store = await newStore();
      const effect = (name: string) => ({ type: 'event' as const, name, contactId: 'c1', properties: {}, at: T });
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: newContactState('c1', T), effects: [effect('A'), effect('B'), effect('C')] });
      const [a, b, c] = await store.readOutbox(0, 10);
      await store.pruneOutbox(b!.seq);
      expect(await store.readOutbox(0, 10)).toEqual([c]);
      await store.commit({ contactId: 'c1', expectedVersion: 1, state: newContactState('c1', T), effects: [effect('D')] });
      const after = await store.readOutbox(0, 10);
      expect(after.map((e) => e.seq)).toEqual([c!.seq, c!.seq + 1]);
      expect(after[0]!.seq).toBeGreaterThan(a!.seq);
      await store.pruneOutbox(c!.seq + 1);
      expect(await store.readOutbox(0, 10)).toEqual([]);
      await store.close();
    });

    it('fires every timer exactly once under random interleavings of commits and claims (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3'), fc.integer({ min: 0, max: 50 }), fc.boolean()), { minLength: 1, maxLength: 30 }), async (ops) => {
          const store = await newStore();
          const versions = new Map<string, number>();
          const pending = new Map<string, TimerRecord[]>();
          const claimed: string[] = [];
          let n = 0;
          for (const [contactId, due, claim] of ops) {
            if (claim) {
              for (const t of await store.claimDueTimers({ owner: 'p', dueBy: T + due, limit: 5, now: T, leaseUntil: T + 1e9 })) {
                claimed.push(t.id);
                const left = (pending.get(t.contactId) ?? []).filter((x) => x.id !== t.id);
                pending.set(t.contactId, left);
                const v = versions.get(t.contactId) ?? 0;
                await store.commit({ contactId: t.contactId, expectedVersion: v, state: withTimers(newContactState(t.contactId, T), left), effects: [] });
                versions.set(t.contactId, v + 1);
              }
            } else {
              const timers = [...(pending.get(contactId) ?? []), timer(`t${++n}`, contactId, T + due)];
              pending.set(contactId, timers);
              const v = versions.get(contactId) ?? 0;
              await store.commit({ contactId, expectedVersion: v, state: withTimers(newContactState(contactId, T), timers), effects: [] });
              versions.set(contactId, v + 1);
            }
          }
          const rest = await store.claimDueTimers({ owner: 'q', dueBy: T + 1e6, limit: 1000, now: T, leaseUntil: T + 1e9 });
          const fired = [...claimed, ...rest.map((t) => t.id)];
          expect(new Set(fired).size).toBe(fired.length);
          expect(fired.length).toBe(n);
          await store.close();
        }),
        { numRuns: 100 },
      );
    });
  });
}
