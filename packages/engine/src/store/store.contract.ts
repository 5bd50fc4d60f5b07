import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, DuplicateMessageError } from '../model/errors.ts';
import type { ContactState, HandoffRecord, InstanceRecord, TimerRecord } from '../state/records.ts';
import { handoffReport } from '../reports/handoffReport.ts';
import { newContactState } from '../state/records.ts';
import { byDueThenAge, isLate, matchesQuery, type HandoffKey, type Store } from './store.ts';

const T = Date.parse('2026-11-23T09:00:00Z');

function timer(id: string, contactId: string, dueAt: number): TimerRecord {
  return { id, contactId, journeyId: 'j', run: 1, node: 'wait', timer: 'wait', dueAt };
}

function withTimers(state: ContactState, timers: TimerRecord[]): ContactState {
  return { ...state, timers };
}

/** A handoff record for store tests: an open lead on node `n` of journey `j`, with the fields given. */
export function handoff(over: Partial<HandoffRecord> & Pick<HandoffRecord, 'id' | 'contactId'>): HandoffRecord {
  return {
    journeyId: 'j',
    version: 1,
    run: 1,
    node: 'n',
    team: 'sales',
    record: 'lead',
    title: '',
    priority: 'normal',
    status: 'open',
    queue: null,
    assignee: null,
    createdAt: T,
    assignedAt: null,
    dueAt: null,
    acceptedAt: null,
    breached: false,
    escalatedTo: null,
    escalating: false,
    outcome: null,
    closedAt: null,
    value: null,
    outcomes: ['won'],
    rejectedBy: [],
    wasUnassigned: false,
    trace: [],
    why: [],
    context: { traits: {}, scores: {}, timeline: [], path: [], messages: [], talkTrack: null, nextBestActions: [] },
    ...over,
  };
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
      const stale = {
        contactId: 'c1',
        expectedVersion: 0,
        state: { ...state, contact: { ...state.contact, traits: { x: 1 } } },
        effects: [],
      };
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
      const again = {
        contactId: 'c1',
        expectedVersion: 1,
        state: { ...state, contact: { ...state.contact, traits: { x: 1 } } },
        messageId: 'm1',
        effects: [],
      };
      await expect(store.commit(again)).rejects.toBeInstanceOf(DuplicateMessageError);
      expect((await store.load('c1'))?.contact.traits).toEqual({});
      await store.close();
    });

    it('claims due timers in due order, each once, under a lease', async () => {
      const store = await newStore();
      const state = withTimers(newContactState('c1', T), [
        timer('t2', 'c1', T + 2000),
        timer('t1', 'c1', T + 1000),
        timer('t3', 'c1', T + 9000),
      ]);
      await store.commit({ contactId: 'c1', expectedVersion: 0, state, effects: [] });
      expect(await store.nextDueAt()).toBe(T + 1000);
      const a = await store.claimDueTimers({ owner: 'a', dueBy: T + 5000, limit: 10, now: T, leaseUntil: T + 60_000 });
      expect(a.map((t) => t.id)).toEqual(['t1', 't2']);
      const b = await store.claimDueTimers({
        owner: 'b',
        dueBy: T + 5000,
        limit: 10,
        now: T + 1,
        leaseUntil: T + 60_000,
      });
      expect(b).toEqual([]);
      // Owner a died: after its lease runs out, b may claim the same timers.
      const c = await store.claimDueTimers({
        owner: 'b',
        dueBy: T + 5000,
        limit: 10,
        now: T + 60_000,
        leaseUntil: T + 120_000,
      });
      expect(c.map((t) => t.id)).toEqual(['t1', 't2']);
      await store.close();
    });

    it('lets a claimed timer that its paused journey held go when it is released, and claims it at once', async () => {
      // A wait fell due while its journey was paused by a human's work: the step that fired it kept it, held.
      const store = await newStore();
      const due = timer('t1', 'c1', T + 1000);
      const s1 = withTimers(newContactState('c1', T), [due]);
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: s1, effects: [] });
      const claim = (now: number) =>
        store.claimDueTimers({ owner: 'a', dueBy: now, limit: 10, now, leaseUntil: now + 3_600_000 });
      expect((await claim(T + 1000)).map((t) => t.id)).toEqual(['t1']);
      const s2 = { ...withTimers(s1, [{ ...due, held: true }]), version: 1 };
      await store.commit({ contactId: 'c1', expectedVersion: 1, state: s2, effects: [] });
      expect(await store.nextDueAt()).toBeNull();
      // The human is done, the journey resumes: the held timer is due again, within its old claim's lease.
      await store.commit({
        contactId: 'c1',
        expectedVersion: 2,
        state: { ...withTimers(s2, [due]), version: 2 },
        effects: [],
      });
      expect(await store.nextDueAt()).toBe(T + 1000);
      expect((await claim(T + 5000)).map((t) => t.id)).toEqual(['t1']);
      await store.close();
    });

    it('forgets timers a commit removes', async () => {
      const store = await newStore();
      const s1 = withTimers(newContactState('c1', T), [timer('t1', 'c1', T + 1000)]);
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: s1, effects: [] });
      await store.commit({ contactId: 'c1', expectedVersion: 1, state: withTimers(s1, []), effects: [] });
      expect(await store.nextDueAt()).toBeNull();
      expect(await store.claimDueTimers({ owner: 'a', dueBy: T + 5000, limit: 10, now: T, leaseUntil: T + 1 })).toEqual(
        [],
      );
      await store.close();
    });

    it('lists every contact it holds, latest state, in the order of contactIds', async () => {
      const store = await newStore();
      expect(await store.contacts()).toEqual([]);
      await store.commit({ contactId: 'c2', expectedVersion: 0, state: newContactState('c2', T), effects: [] });
      await store.commit({ contactId: 'c1', expectedVersion: 0, state: newContactState('c1', T), effects: [] });
      await store.commit({
        contactId: 'c2',
        expectedVersion: 1,
        state: newContactState('c2', T, { plan: 'pro' }),
        effects: [],
      });
      const all = await store.contacts();
      expect(all.map((s) => s.contact.id)).toEqual(await store.contactIds());
      expect(all.map((s) => [s.contact.id, s.version])).toEqual(
        expect.arrayContaining([
          ['c1', 1],
          ['c2', 2],
        ]),
      );
      expect(all.find((s) => s.contact.id === 'c2')?.contact.traits).toEqual({ plan: 'pro' });
      await store.close();
    });

    it('finds a handoff by its id, open or closed, as the latest commit left it', async () => {
      const store = await newStore();
      const h = handoff({ id: 'h1', contactId: 'c1', queue: 'q', assignee: 'ana', assignedAt: T });
      expect(await store.handoff('h1')).toBeUndefined();
      await store.commit({
        contactId: 'c1',
        expectedVersion: 0,
        state: { ...newContactState('c1', T), handoffs: [h] },
        effects: [],
      });
      expect((await store.handoff('h1'))?.status).toBe('open');
      await store.commit({
        contactId: 'c1',
        expectedVersion: 1,
        state: { ...newContactState('c1', T), handoffs: [{ ...h, status: 'closed', outcome: 'won' }] },
        effects: [],
      });
      expect(await store.handoff('h1')).toMatchObject({ status: 'closed', outcome: 'won', contactId: 'c1' });
      expect(await store.openHandoffs()).toEqual([]);
      expect(await store.handoff('__proto__')).toBeUndefined();
      await store.close();
    });

    it('lists handoffs by query, counts rep loads and open handoffs, and reports a period exactly as over every contact, as contacts change and are forgotten (property)', async () => {
      const journeys = ['j1', 'j2', '__proto__'];
      const handoffArb = fc.record({
        journey: fc.constantFrom(...journeys),
        node: fc.constantFrom('h1', 'h2'),
        status: fc.constantFrom('open' as const, 'closed' as const),
        assignee: fc.option(fc.constantFrom('ana', 'bo', 'constructor'), { nil: null }),
        queue: fc.option(fc.constantFrom('q1', 'q2'), { nil: null }),
        // Up to three days in: the report's days (its trend) are more than one.
        created: fc.integer({ min: 0, max: 60 }),
        accepted: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
        due: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
        breached: fc.boolean(),
        outcome: fc.option(fc.constantFrom('won', 'lost', 'expired'), { nil: null }),
        value: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
        rejectedBy: fc.uniqueArray(fc.constantFrom('ana', 'bo', '__proto__'), { maxLength: 2 }),
      });
      const runArb = fc.record({
        journey: fc.constantFrom(...journeys),
        status: fc.constantFrom('active' as const, 'paused' as const, 'exited' as const),
        outcome: fc.option(fc.constantFrom('converted', 'completed'), { nil: null }),
        entered: fc.integer({ min: 0, max: 20 }),
        path: fc.array(fc.constantFrom('a', 'h1', 'h2', 'won'), { maxLength: 4 }),
      });
      const contactArb = fc.record({
        handoffs: fc.array(handoffArb, { maxLength: 3 }),
        runs: fc.uniqueArray(runArb, { maxLength: 3, selector: (r) => r.journey }),
      });
      const H = 3_600_000;
      await fc.assert(
        fc.asyncProperty(
          // Each contact is committed in one to three versions (its runs and handoffs replaced, a handoff
          // keeping its id), and may then be forgotten.
          fc.array(
            fc.record({ versions: fc.array(contactArb, { minLength: 1, maxLength: 3 }), forget: fc.boolean() }),
            {
              maxLength: 6,
            },
          ),
          fc.record({
            from: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
            to: fc.option(fc.integer({ min: 0, max: 65 }), { nil: undefined }),
            journey: fc.option(fc.constantFrom(...journeys), { nil: undefined }),
          }),
          fc.boolean(),
          async (contacts, p, listFirst) => {
            const store = await newStore();
            // A list before any commit: the memory store then keeps its lists with each commit, where
            // otherwise it makes them from every handoff on the first list.
            if (listFirst) expect(await store.handoffs({ status: 'closed' })).toEqual([]);
            for (const [i, { versions, forget }] of contacts.entries()) {
              const contactId = `c${i}`;
              // As steps do: a journey's run is replaced by its next, a handoff by its next state; none is dropped.
              const runsSoFar = new Map<string, (typeof versions)[number]['runs'][number]>();
              const handoffsSoFar = new Map<string, (typeof versions)[number]['handoffs'][number]>();
              for (const [version, v] of versions.entries()) {
                for (const r of v.runs) runsSoFar.set(r.journey, r);
                for (const h of v.handoffs) handoffsSoFar.set(`${h.journey}/${h.node}/${h.created}`, h);
                const c = { runs: [...runsSoFar.values()], handoffs: [...handoffsSoFar.values()] };
                const instances: InstanceRecord[] = c.runs.map((r) => ({
                  journeyId: r.journey,
                  version: 1,
                  run: 1,
                  status: r.status,
                  snapshot: null,
                  node: r.path.at(-1) ?? null,
                  path: r.path,
                  messages: [],
                  decisions: [],
                  enteredAt: T + r.entered * H,
                  exitedAt: r.status === 'exited' ? T + 30 * H : null,
                  outcome: r.status === 'exited' ? r.outcome : null,
                }));
                const handoffs = c.handoffs.map((h) =>
                  handoff({
                    id: `h${i}-${h.journey}-${h.node}-${h.created}`,
                    contactId,
                    journeyId: h.journey,
                    node: h.node,
                    status: h.status,
                    queue: h.queue,
                    assignee: h.assignee,
                    createdAt: T + h.created * H,
                    dueAt: h.due === null ? null : T + h.due * H,
                    acceptedAt: h.accepted === null ? null : T + (h.created + h.accepted) * H,
                    breached: h.breached,
                    outcome: h.status === 'closed' ? h.outcome : null,
                    value: h.value,
                    rejectedBy: h.rejectedBy.map((rep, n) => ({
                      rep,
                      reason: n === 0 ? null : 'busy',
                      at: T + h.created * H,
                    })),
                    outcomes: ['won', 'lost'],
                  }),
                );
                await store.commit({
                  contactId,
                  expectedVersion: version,
                  state: { ...newContactState(contactId, T), instances, handoffs },
                  effects: [],
                });
              }
              if (forget)
                await store.commit({
                  contactId,
                  expectedVersion: versions.length,
                  state: newContactState(contactId, T),
                  effects: [],
                  forget: true,
                });
            }
            const period = {
              from: p.from === undefined ? undefined : T + p.from * H,
              to: p.to === undefined ? undefined : T + p.to * H,
              journey: p.journey,
            };
            expect(await store.report(period)).toEqual(handoffReport(await store.contacts(), period));
            const all = (await store.contacts()).flatMap((s) => s.handoffs);
            for (const q of [
              {},
              { status: 'open' as const },
              { status: 'closed' as const, journey: '__proto__' },
              { assignee: null },
              { status: 'open' as const, assignee: null },
              { assignee: 'ana', status: 'open' as const },
              { assignee: 'constructor', status: 'open' as const, queue: 'q2' },
              { queue: 'q1', status: 'open' as const },
              { queue: 'q1', breached: true },
              { status: 'open' as const, limit: 2 },
            ]) {
              const every = all.filter((h) => matchesQuery(h, q)).sort(byDueThenAge);
              const want = every.slice(0, q.limit ?? Infinity);
              expect((await store.handoffs(q)).map((h) => h.id)).toEqual(want.map((h) => h.id));
              // Page by page, each from the last of the one before: the same list, none twice or left out.
              const pages: string[] = [];
              for (let after: HandoffKey | undefined, n = 0; n <= every.length; n++) {
                const page = await store.handoffs({ ...q, limit: 2, after });
                pages.push(...page.map((h) => h.id));
                if (page.length < 2) break;
                after = { dueAt: page[1]!.dueAt, createdAt: page[1]!.createdAt, id: page[1]!.id };
              }
              expect(pages).toEqual(every.map((h) => h.id));
            }
            // Each rep's load: its open handoffs, as the last commits left them.
            const loads: Record<string, number> = Object.create(null);
            for (const h of all)
              if (h.status === 'open' && h.assignee !== null) loads[h.assignee] = (loads[h.assignee] ?? 0) + 1;
            expect({ ...(await store.repLoads()) }).toEqual({ ...loads });
            // Each rep's late open handoffs at an instant among the dues, as isLate tells (a store may count them).
            if (store.lateHandoffCounts) {
              const at = T + 20 * H;
              const late: Record<string, number> = Object.create(null);
              for (const h of all)
                if (h.status === 'open' && h.assignee !== null && isLate(h, at))
                  late[h.assignee] = (late[h.assignee] ?? 0) + 1;
              const counted = await store.lateHandoffCounts(at);
              expect(Object.fromEntries(Object.entries(counted).filter(([, n]) => n > 0))).toEqual({ ...late });
            }
            // The open handoffs counted per queue and whether held, as the metrics' gauge reads them
            // (a store without the count is counted from openHandoffs).
            if (store.openHandoffCounts) {
              const counted = new Map<string, number>();
              for (const h of all)
                if (h.status === 'open') {
                  const key = JSON.stringify([h.queue, h.assignee !== null]);
                  counted.set(key, (counted.get(key) ?? 0) + 1);
                }
              const counts = (await store.openHandoffCounts()).map(
                (c) => [JSON.stringify([c.queue, c.assigned]), c.n] as const,
              );
              expect(counts.sort()).toEqual([...counted].sort()); // one row per queue and holding, none twice
            }
            await store.close();
          },
        ),
        { numRuns: 25 },
      );
    }, 120_000); // a few hundred commits and queries per run on a database store

    it('reads what a step needs in one go exactly as the separate calls give it (when the store offers readStep)', async () => {
      const store = await newStore();
      if (store.readStep) {
        expect(await store.readStep('c1', 'm1', true)).toEqual({
          duplicate: false,
          state: undefined,
          routing: { desk: await store.loadDesk(), loads: await store.repLoads() },
        });
        await store.commit({
          contactId: 'c1',
          expectedVersion: 0,
          state: newContactState('c1', T, { plan: 'pro' }),
          messageId: 'm1',
          effects: [],
        });
        expect(await store.readStep('c1', 'm1', true)).toEqual({ duplicate: true, state: undefined });
        expect(await store.readStep('c1', 'm2', false)).toEqual({ duplicate: false, state: await store.load('c1') });
        expect(await store.readStep('c1', undefined, true)).toEqual({
          duplicate: false,
          state: await store.load('c1'),
          routing: { desk: await store.loadDesk(), loads: await store.repLoads() },
        });
      }
      await store.close();
    });

    it('keeps effects in the outbox in commit order', async () => {
      const store = await newStore();
      const effect = (name: string) => ({ type: 'event' as const, name, contactId: 'c1', properties: {}, at: T });
      await store.commit({
        contactId: 'c1',
        expectedVersion: 0,
        state: newContactState('c1', T),
        effects: [effect('A'), effect('B')],
      });
      await store.commit({
        contactId: 'c1',
        expectedVersion: 1,
        state: newContactState('c1', T),
        effects: [effect('C')],
      });
      const all = await store.readOutbox(0, 10);
      expect(all.map((e) => (e.effect.type === 'event' ? e.effect.name : ''))).toEqual(['A', 'B', 'C']);
      expect((await store.readOutbox(all[1]!.seq, 10)).length).toBe(1);
      await store.close();
    });

    it('forgets effects up to a position and keeps numbering after them', async () => {
      const store = await newStore();
      const effect = (name: string) => ({ type: 'event' as const, name, contactId: 'c1', properties: {}, at: T });
      await store.commit({
        contactId: 'c1',
        expectedVersion: 0,
        state: newContactState('c1', T),
        effects: [effect('A'), effect('B'), effect('C')],
      });
      const [a, b, c] = await store.readOutbox(0, 10);
      await store.pruneOutbox(b!.seq);
      expect(await store.readOutbox(0, 10)).toEqual([c]);
      await store.commit({
        contactId: 'c1',
        expectedVersion: 1,
        state: newContactState('c1', T),
        effects: [effect('D')],
      });
      const after = await store.readOutbox(0, 10);
      expect(after.map((e) => e.seq)).toEqual([c!.seq, c!.seq + 1]);
      expect(after[0]!.seq).toBeGreaterThan(a!.seq);
      await store.pruneOutbox(c!.seq + 1);
      expect(await store.readOutbox(0, 10)).toEqual([]);
      await store.close();
    });

    it('reads the handoffs waiting unassigned oldest first, a page at a time, leaving out skipped queues, as the latest commits left them (property)', async () => {
      const waitingArb = fc.record({
        contact: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
        queue: fc.option(fc.constantFrom('q1', 'q2', 'constructor'), { nil: null }),
        assignee: fc.option(fc.constantFrom('ana', 'bo'), { nil: null }),
        status: fc.constantFrom('open' as const, 'open' as const, 'closed' as const),
        created: fc.integer({ min: 0, max: 5 }),
      });
      const pageArb = fc.record({
        limit: fc.integer({ min: 1, max: 6 }),
        skip: fc.subarray(['q1', 'q2', 'constructor']),
        after: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(waitingArb, { maxLength: 25 }),
          fc.array(fc.integer({ min: 0, max: 24 }), { maxLength: 8 }),
          fc.array(pageArb, { minLength: 1, maxLength: 4 }),
          async (specs, assignLater, pages) => {
            const store = await newStore();
            const byContact = new Map<string, HandoffRecord[]>();
            const versions = new Map<string, number>();
            const save = async (contactId: string) => {
              const v = versions.get(contactId) ?? 0;
              await store.commit({
                contactId,
                expectedVersion: v,
                state: { ...newContactState(contactId, T), handoffs: byContact.get(contactId) ?? [] },
                effects: [],
              });
              versions.set(contactId, v + 1);
            };
            // Ids that sort differently as text than as numbers (h10 before h9), and creation instants shared.
            const all = specs.map(
              (x, i): HandoffRecord =>
                handoff({
                  id: `h${i + 1}`,
                  contactId: x.contact,
                  status: x.status,
                  queue: x.queue,
                  assignee: x.assignee,
                  createdAt: T + x.created * 60_000,
                  wasUnassigned: x.assignee === null,
                }),
            );
            for (const h of all) byContact.set(h.contactId, [...(byContact.get(h.contactId) ?? []), h]);
            for (const c of byContact.keys()) await save(c);
            // Some are assigned or closed afterwards: they leave the waiting list.
            for (const i of assignLater) {
              const h = all[i];
              if (!h) continue;
              const next = i % 2 === 0 ? { ...h, assignee: 'ana' } : { ...h, status: 'closed' as const };
              all[i] = next;
              byContact.set(
                h.contactId,
                byContact.get(h.contactId)!.map((x) => (x.id === h.id ? next : x)),
              );
              await save(h.contactId);
            }
            const ordered = all
              .filter((h) => h.status === 'open' && h.assignee === null)
              .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
            for (const p of pages) {
              const after = p.after === undefined ? undefined : ordered[p.after % Math.max(1, ordered.length)];
              const want = ordered
                .filter((h) => h.queue === null || !p.skip.includes(h.queue))
                .filter(
                  (h) =>
                    !after || h.createdAt > after.createdAt || (h.createdAt === after.createdAt && h.id > after.id),
                )
                .slice(0, p.limit);
              const got = await store.waitingHandoffs({
                limit: p.limit,
                skipQueues: p.skip,
                ...(after ? { after: { createdAt: after.createdAt, id: after.id } } : {}),
              });
              expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
            }
            await store.close();
          },
        ),
        { numRuns: 40 },
      );
    });

    it('fires every timer exactly once under random interleavings of commits and claims (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3'), fc.integer({ min: 0, max: 50 }), fc.boolean()), {
            minLength: 1,
            maxLength: 30,
          }),
          async (ops) => {
            const store = await newStore();
            const versions = new Map<string, number>();
            const pending = new Map<string, TimerRecord[]>();
            const claimed: string[] = [];
            let n = 0;
            for (const [contactId, due, claim] of ops) {
              if (claim) {
                for (const t of await store.claimDueTimers({
                  owner: 'p',
                  dueBy: T + due,
                  limit: 5,
                  now: T,
                  leaseUntil: T + 1e9,
                })) {
                  claimed.push(t.id);
                  const left = (pending.get(t.contactId) ?? []).filter((x) => x.id !== t.id);
                  pending.set(t.contactId, left);
                  const v = versions.get(t.contactId) ?? 0;
                  await store.commit({
                    contactId: t.contactId,
                    expectedVersion: v,
                    state: withTimers(newContactState(t.contactId, T), left),
                    effects: [],
                  });
                  versions.set(t.contactId, v + 1);
                }
              } else {
                const timers = [...(pending.get(contactId) ?? []), timer(`t${++n}`, contactId, T + due)];
                pending.set(contactId, timers);
                const v = versions.get(contactId) ?? 0;
                await store.commit({
                  contactId,
                  expectedVersion: v,
                  state: withTimers(newContactState(contactId, T), timers),
                  effects: [],
                });
                versions.set(contactId, v + 1);
              }
            }
            const rest = await store.claimDueTimers({
              owner: 'q',
              dueBy: T + 1e6,
              limit: 1000,
              now: T,
              leaseUntil: T + 1e9,
            });
            const fired = [...claimed, ...rest.map((t) => t.id)];
            expect(new Set(fired).size).toBe(fired.length);
            expect(fired.length).toBe(n);
            await store.close();
          },
        ),
        { numRuns: 100 },
      );
    });
  });
}
