import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatonError,
  type Commit,
  DeskConflictError,
  type StepRead,
  JourneyCatalog,
  MemoryStore,
  Runtime,
  Team,
  VirtualClock,
  eventsOf,
  formatInstant,
} from '../src/internal.ts';
import { HOUR, DAY, journey } from './helpers.ts';

// Monday 2026-11-23 09:00 Berlin.
const MON9 = Date.parse('2026-11-23T08:00:00Z');
const hours = {
  mon: ['09:00', '17:00'],
  tue: ['09:00', '17:00'],
  wed: ['09:00', '17:00'],
  thu: ['09:00', '17:00'],
  fri: ['09:00', '17:00'],
};
const baseTeam = {
  calendars: { berlin: { timezone: 'Europe/Berlin', hours } },
  reps: [
    { id: 'ana', name: 'Ana', calendar: 'berlin', capacity: 1 },
    { id: 'bo', name: 'Bo', calendar: 'berlin', capacity: 1 },
    { id: 'mia', name: 'Mia', calendar: 'berlin' },
  ],
  queues: [
    { id: 'ae', members: ['ana', 'bo'] },
    { id: 'managers', members: ['mia'] },
  ],
};

const handoffNode = (over: Record<string, unknown> = {}) => ({
  id: 'h',
  type: 'handoff',
  team: 'sales',
  record: 'lead',
  title: 'Lead: {{contact.company}}',
  route: [{ to: { queue: 'ae' } }],
  sla: { firstTouch: 'PT4H', escalate: { queue: 'managers' } },
  outcomes: { won: 'won', lost: 'lost' },
  ...over,
});
const salesJourney = (over: Record<string, unknown> = {}, node: Record<string, unknown> = {}) =>
  journey(
    [
      handoffNode(node),
      { id: 'won', type: 'exit', outcome: 'converted' },
      { id: 'lost', type: 'exit', outcome: 'lost' },
    ],
    { id: 'sales', trigger: { event: 'Demo Requested' }, reentry: 'after_exit', ...over },
  );

function world(journeys: unknown[], team: unknown = baseTeam, start = MON9) {
  const catalog = new JourneyCatalog();
  for (const j of journeys) catalog.publish(j, team);
  const clock = new VirtualClock(start);
  const store = new MemoryStore();
  const runtime = new Runtime({ store, clock, catalog, team: Team.parse(team) });
  const at = async (ms: number) => {
    for (let next = await store.nextDueAt(); next !== null && next <= ms; next = await store.nextDueAt()) {
      clock.set(next);
      await runtime.advance(next);
    }
    clock.set(ms);
  };
  const handoffs = async (contactId: string) => (await store.load(contactId))?.handoffs ?? [];
  const ref = (userId: string, node = 'h', journeyId = 'sales') => ({ userId, journey: journeyId, node });
  const demo = (userId: string) => runtime.ingest({ type: 'track', userId, event: 'Demo Requested' });
  return { runtime, store, clock, at, handoffs, ref, demo };
}

describe('the rep receives a handoff', () => {
  it('never gives a rep more than their capacity, even to leads of theirs that arrive at the same moment', async () => {
    const w = world([
      salesJourney({}, { route: [{ to: { owner: 'contact.ownerId' } }], fallback: { queue: 'managers' } }),
    ]);
    const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => w.runtime.ingest({ type: 'identify', userId: id, traits: { ownerId: 'ana' } })));
    await Promise.all(ids.map((id) => w.demo(id)));
    const assignees = await Promise.all(ids.map(async (id) => (await w.handoffs(id))[0]?.assignee));
    expect(assignees.filter((a) => a === 'ana')).toHaveLength(1); // ana's capacity is 1
    expect(assignees.filter((a) => a === 'mia')).toHaveLength(9);
  });

  it('routes 40 leads that arrive at the same moment, every one applied and round robin in turn (no event lost to the race for the desk)', async () => {
    const team = { ...baseTeam, reps: baseTeam.reps.map((r) => ({ ...r, capacity: undefined })) };
    const w = world([salesJourney()], team);
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const applied = await Promise.all(ids.map((id) => w.demo(id)));
    expect(applied.map((a) => a.status)).toEqual(ids.map(() => 'applied'));
    const assignees = (await Promise.all(ids.map(async (id) => (await w.handoffs(id))[0]?.assignee))).filter(
      (a) => a !== undefined,
    );
    expect(assignees).toHaveLength(40);
    expect(assignees.filter((a) => a === 'ana')).toHaveLength(20);
    expect(assignees.filter((a) => a === 'bo')).toHaveLength(20);
  });

  it('pauses between retries while another process keeps taking the desk, gives up unchanged when it never stops, and holds the desk where the store can', async () => {
    /** A store another process shares: it moves the desk on just before each of the first `beaten` desk commits. */
    class SharedStore extends MemoryStore {
      constructor(private beaten: number) {
        super();
      }
      override async commit(c: Commit): Promise<void> {
        if (c.desk && this.beaten-- > 0) {
          const desk = await this.loadDesk();
          this.applyDesk({ expectedVersion: desk.version, state: desk.state });
        }
        return super.commit(c);
      }
    }
    /** The same, able to step holding the desk (as PostgreSQL does): nobody gets in between. */
    class HoldingStore extends SharedStore {
      held = 0;
      async stepHoldingDesk(contactId: string, messageId: string | undefined, step: (read: StepRead) => Commit) {
        this.held++;
        const read = this.readStepNow(contactId, messageId, true);
        if (read.duplicate) return 'duplicate' as const;
        await MemoryStore.prototype.commit.call(this, step(read));
        return 'applied' as const;
      }
    }
    const run = async (beaten: number, holding = false) => {
      const catalog = new JourneyCatalog();
      catalog.publish(salesJourney(), baseTeam);
      const store = holding ? new HoldingStore(beaten) : new SharedStore(beaten);
      const pauses: number[] = [];
      const runtime = new Runtime({
        store,
        clock: new VirtualClock(MON9),
        catalog,
        team: Team.parse(baseTeam),
        backoff: async (attempt) => void pauses.push(attempt),
      });
      const applied = runtime.ingest({ type: 'track', userId: 'c1', event: 'Demo Requested' });
      return { applied, pauses, store };
    };
    // The first desk race turns this process's routing steps into one lane, at once; later ones are another process's.
    const beaten4 = await run(4);
    expect((await beaten4.applied).status).toBe('applied');
    expect(beaten4.pauses).toEqual([2, 3, 4]);
    expect((await beaten4.store.load('c1'))!.handoffs[0]!.assignee).toBe('ana');
    const always = await run(100);
    await expect(always.applied).rejects.toBeInstanceOf(DeskConflictError);
    expect(always.pauses).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(await always.store.load('c1')).toBeUndefined();
    // A store that holds the desk: the first retry holds it and wins, without a pause.
    const held = await run(100, true);
    expect((await held.applied).status).toBe('applied');
    expect(held.pauses).toEqual([]);
    expect((held.store as HoldingStore).held).toBe(1);
    expect((await held.store.load('c1'))!.handoffs[0]!.assignee).toBe('ana');
  });

  it('gets a lead with its title, the routing trace, and an SLA due in their business hours', async () => {
    const w = world([salesJourney()]);
    await w.runtime.ingest({ type: 'identify', userId: 'c1', traits: { company: 'Acme' } });
    await w.demo('c1');
    const [h] = await w.handoffs('c1');
    expect(h).toMatchObject({
      title: 'Lead: Acme',
      assignee: 'ana',
      queue: 'ae',
      status: 'open',
      trace: ['rule 1 queue ae: ana (round robin)'],
    });
    expect(formatInstant(h!.dueAt!)).toBe('2026-11-23T12:00:00Z');
    const timeline = eventsOf((await w.store.load('c1'))!.contact).map((e) => e.name);
    expect(timeline).toEqual(['Contact Updated', 'Demo Requested', 'Handoff Created', 'Handoff Assigned']);
  });

  it('titles a lead by its company name when the company trait is an object, as Segment sends it', async () => {
    const w = world([salesJourney()]);
    await w.runtime.ingest({
      type: 'identify',
      userId: 'c1',
      traits: { company: { name: 'Acme', id: 'co_1', industry: 'Retail', employee_count: 900 } },
    });
    await w.demo('c1');
    const nameless = world([salesJourney()]);
    await nameless.runtime.ingest({ type: 'identify', userId: 'c2', traits: { company: { name: '', id: 'co_2' } } });
    await nameless.demo('c2');
    const listed = world([salesJourney()]);
    await listed.runtime.ingest({ type: 'identify', userId: 'c3', traits: { company: ['A', 'B'] } });
    await listed.demo('c3');
    expect((await w.handoffs('c1'))[0]!.title).toBe('Lead: Acme');
    // Without a name (an empty one hides nothing), or not an object with fields, it is JSON, as before.
    expect((await nameless.handoffs('c2'))[0]!.title).toBe('Lead: {"name":"","id":"co_2"}');
    expect((await listed.handoffs('c3'))[0]!.title).toBe('Lead: ["A","B"]');
  });

  it('stops the SLA clock when the rep accepts', async () => {
    const w = world([salesJourney()]);
    await w.demo('c1');
    await w.at(MON9 + HOUR);
    await w.runtime.accept(w.ref('c1'));
    await w.at(MON9 + DAY);
    const [h] = await w.handoffs('c1');
    expect(h).toMatchObject({ breached: false, acceptedAt: MON9 + HOUR, assignee: 'ana' });
  });

  it('breaches once at the deadline and escalates to the managers without a new clock', async () => {
    const w = world([salesJourney()]);
    await w.demo('c1');
    await w.at(MON9 + 3 * DAY);
    const [h] = await w.handoffs('c1');
    expect(h).toMatchObject({ breached: true, assignee: 'mia', escalatedTo: 'mia', queue: 'managers' });
    expect(formatInstant(h!.dueAt!)).toBe('2026-11-23T12:00:00Z');
    const names = eventsOf((await w.store.load('c1'))!.contact).map((e) => e.name);
    expect(names.filter((n) => n === 'Handoff SLA Breached')).toHaveLength(1);
    expect(names).toContain('Handoff Escalated');
  });

  it('moves the journey on the outcome the rep logs', async () => {
    const w = world([salesJourney()]);
    await w.demo('c1');
    await w.runtime.logOutcome({ ...w.ref('c1'), outcome: 'won', value: 12000 });
    const state = (await w.store.load('c1'))!;
    expect(state.instances[0]).toMatchObject({ status: 'exited', outcome: 'converted', path: ['h', 'won'] });
    expect(state.handoffs[0]).toMatchObject({ status: 'closed', outcome: 'won', value: 12000 });
  });

  it('refuses an outcome the node does not declare and changes nothing', async () => {
    const w = world([salesJourney()]);
    await w.demo('c1');
    const before = await w.store.load('c1');
    await expect(w.runtime.logOutcome({ ...w.ref('c1'), outcome: 'maybe' })).rejects.toThrow(
      'outcome "maybe" is not one of the outcomes of sales/h: won, lost',
    );
    expect(await w.store.load('c1')).toBe(before);
  });

  it('refuses to act on a handoff that is not open, or that belongs to another rep', async () => {
    const w = world([salesJourney()]);
    await expect(w.runtime.accept(w.ref('nobody'))).rejects.toBeInstanceOf(BatonError);
    await w.demo('c1');
    await expect(w.runtime.accept({ ...w.ref('c1'), rep: 'bo' })).rejects.toThrow('assigned to ana, not bo');
  });

  it('reroutes a rejected handoff to someone else, never back to the rep who rejected it', async () => {
    const w = world([salesJourney()]);
    await w.demo('c1');
    await w.runtime.reject({ ...w.ref('c1'), reason: 'On holiday' });
    const [h] = await w.handoffs('c1');
    expect(h).toMatchObject({ assignee: 'bo', rejectedBy: [{ rep: 'ana', reason: 'On holiday' }] });
    await w.runtime.reject(w.ref('c1'));
    expect((await w.handoffs('c1'))[0]).toMatchObject({ assignee: null, queue: 'ae', wasUnassigned: true });
    expect(eventsOf((await w.store.load('c1'))!.contact).map((e) => e.name)).toContain('Handoff Rejected');
  });

  it('closes an expired handoff as expired and takes onExpire', async () => {
    const j = journey(
      [
        handoffNode({ expires: 'P2D', onExpire: 'lost' }),
        { id: 'won', type: 'exit', outcome: 'converted' },
        { id: 'lost', type: 'exit', outcome: 'lost' },
      ],
      { id: 'sales', trigger: { event: 'Demo Requested' } },
    );
    const w = world([j]);
    await w.demo('c1');
    await w.at(MON9 + 3 * DAY);
    const state = (await w.store.load('c1'))!;
    expect(state.handoffs[0]).toMatchObject({ status: 'closed', outcome: 'expired', closedAt: MON9 + 2 * DAY });
    expect(state.instances[0]).toMatchObject({ outcome: 'lost', path: ['h', 'lost'] });
  });
});

describe('nothing is stuck unassigned', () => {
  it('waits in its queue and goes, oldest first, to the first rep who frees up', async () => {
    const w = world([salesJourney({}, { sla: undefined })]);
    await w.demo('c1'); // ana
    await w.demo('c2'); // bo
    await w.demo('c3'); // nobody: both at capacity 1
    await w.demo('c4');
    expect((await w.handoffs('c3'))[0]).toMatchObject({ assignee: null, queue: 'ae' });
    await w.runtime.logOutcome({ ...w.ref('c2'), outcome: 'lost' });
    expect((await w.handoffs('c3'))[0]).toMatchObject({ assignee: 'bo' });
    expect((await w.handoffs('c4'))[0]!.assignee).toBeNull();
  });

  it('is assigned when a rep is made active', async () => {
    const team = { ...baseTeam, reps: baseTeam.reps.map((r) => ({ ...r, active: false })) };
    const w = world([salesJourney({}, { sla: undefined })], team);
    await w.demo('c1');
    expect((await w.handoffs('c1'))[0]!.assignee).toBeNull();
    await w.runtime.setRep('bo', { active: true });
    expect((await w.handoffs('c1'))[0]!.assignee).toBe('bo');
  });

  it('is assigned when hours begin in a queue that respects hours', async () => {
    const team = {
      ...baseTeam,
      queues: [
        { id: 'ae', members: ['ana', 'bo'], respectHours: true },
        { id: 'managers', members: ['mia'] },
      ],
    };
    const saturday = Date.parse('2026-11-21T12:00:00Z');
    const w = world([salesJourney({}, { sla: undefined })], team, saturday);
    await w.demo('c1');
    expect((await w.handoffs('c1'))[0]!.assignee).toBeNull();
    await w.at(MON9 + HOUR);
    expect((await w.handoffs('c1'))[0]).toMatchObject({ assignee: 'ana', assignedAt: MON9 });
  });
});

describe('journeys wait for humans', () => {
  const newsletter = (mode: string, params: Record<string, unknown> = {}) =>
    journey(
      [
        { id: 'mail1', type: 'action', action: 'email', params: { template: 'n1', ...params }, next: 'wait' },
        { id: 'wait', type: 'wait', duration: 'P1D', next: 'mail2' },
        { id: 'mail2', type: 'action', action: 'email', params: { template: 'n2', ...params }, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'completed' },
      ],
      { id: 'news', trigger: { event: 'Signed Up' }, whileHumanEngaged: mode },
    );

  it("pauses the contact's other journeys the instant a handoff opens, and fires their due timers when it closes", async () => {
    const w = world([salesJourney({}, { sla: undefined }), newsletter('pause')]);
    await w.runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up' });
    await w.demo('c1');
    expect((await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'news')!.status).toBe('paused');
    await w.at(MON9 + 3 * DAY);
    expect((await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'news')!.path).toEqual(['mail1', 'wait']);
    await w.runtime.logOutcome({ ...w.ref('c1'), outcome: 'lost' });
    const news = (await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'news')!;
    expect(news).toMatchObject({ status: 'exited', path: ['mail1', 'wait', 'mail2', 'done'] });
    expect(news.messages.map((m) => m.at)).toEqual([MON9, MON9 + 3 * DAY]);
  });

  it('exits a journey that says exit, with outcome human_engaged', async () => {
    const w = world([salesJourney(), newsletter('exit')]);
    await w.runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up' });
    await w.demo('c1');
    expect((await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'news')).toMatchObject({
      status: 'exited',
      outcome: 'human_engaged',
    });
  });

  it('lets a journey that says continue run, but holds back its emails unless told to send', async () => {
    const w = world([salesJourney({}, { sla: undefined }), newsletter('continue')]);
    await w.runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up' });
    await w.demo('c1');
    await w.at(MON9 + 2 * DAY);
    const news = (await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'news')!;
    expect(news.messages.map((m) => m.suppressed)).toEqual([false, true]);

    const send = world([salesJourney({}, { sla: undefined }), newsletter('continue', { whileHumanEngaged: 'send' })]);
    await send.runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up' });
    await send.demo('c1');
    await send.at(MON9 + 2 * DAY);
    expect(
      (await send.store.load('c1'))!.instances.find((i) => i.journeyId === 'news')!.messages.map((m) => m.suppressed),
    ).toEqual([false, false]);
  });

  it('resumes a pause that waits for Handoff Closed from another journey', async () => {
    const follow = journey(
      [
        {
          id: 'until_closed',
          type: 'pause',
          until: { event: 'Handoff Closed', where: { field: 'event.properties.outcome', op: 'eq', value: 'won' } },
          next: 'welcome',
        },
        { id: 'welcome', type: 'action', action: 'email', params: {}, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'welcomed' },
      ],
      { id: 'follow', trigger: { event: 'Demo Requested' }, whileHumanEngaged: 'continue' },
    );
    const w = world([salesJourney({}, { sla: undefined }), follow]);
    await w.demo('c1');
    await w.runtime.logOutcome({ ...w.ref('c1'), outcome: 'won' });
    expect((await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'follow')).toMatchObject({
      outcome: 'welcomed',
    });
  });
});

describe('gaps closed', () => {
  it('gives an escalated handoff to the escalation rep as soon as they are back', async () => {
    const w = world([salesJourney({}, { sla: { firstTouch: 'PT1H', escalate: { rep: 'mia' } } })]);
    await w.runtime.setRep('mia', { active: false });
    await w.demo('c1');
    await w.at(MON9 + 2 * HOUR);
    expect((await w.handoffs('c1'))[0]).toMatchObject({ breached: true, assignee: null, escalating: true });
    await w.runtime.setRep('mia', { active: true });
    expect((await w.handoffs('c1'))[0]).toMatchObject({ assignee: 'mia', escalatedTo: 'mia' });
  });

  it('lets a paused journey see the event it was waiting for once the human is done', async () => {
    const survey = journey(
      [
        {
          id: 'ask',
          type: 'pause',
          until: { event: 'Survey Answered' },
          timeout: 'P10D',
          next: 'thanks',
          onTimeout: 'done',
        },
        { id: 'thanks', type: 'action', action: 'email', params: {}, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'asked' },
      ],
      { id: 'survey', trigger: { event: 'Signed Up' } },
    );
    const w = world([salesJourney({}, { sla: undefined }), survey]);
    await w.runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up' });
    await w.demo('c1');
    await w.runtime.ingest({ type: 'track', userId: 'c1', event: 'Survey Answered' });
    expect((await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'survey')).toMatchObject({
      status: 'paused',
      node: 'ask',
    });
    await w.at(MON9 + DAY);
    await w.runtime.logOutcome({ ...w.ref('c1'), outcome: 'won' });
    const inst = (await w.store.load('c1'))!.instances.find((i) => i.journeyId === 'survey')!;
    expect(inst).toMatchObject({ status: 'exited', path: ['ask', 'thanks', 'done'] });
    expect(inst.messages[0]!.at).toBe(MON9 + DAY);
  });
});

describe('handoff properties', () => {
  it('never loses or double-assigns a handoff under random creates, closes, activations and deactivations', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('create'), contact: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('close'), contact: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constantFrom('activate', 'deactivate'), rep: fc.constantFrom('ana', 'bo') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const w = world([salesJourney({}, { sla: undefined })]);
        const active = { ana: true, bo: true };
        for (const o of ops) {
          if (o.kind === 'create') await w.demo(`c${o.contact}`);
          else if (o.kind === 'close')
            await w.runtime
              .logOutcome({ ...w.ref(`c${o.contact}`), outcome: 'lost' })
              .catch((e) => expect(e).toBeInstanceOf(BatonError));
          else {
            active[o.rep as 'ana' | 'bo'] = o.kind === 'activate';
            await w.runtime.setRep(o.rep as string, { active: o.kind === 'activate' });
          }
        }
        const open = await w.store.openHandoffs();
        const created = (await Promise.all((await w.store.contactIds()).map(w.handoffs))).flat();
        // Every handoff is either closed or open: none vanished.
        expect(
          created
            .filter((h) => h.status === 'open')
            .map((h) => h.id)
            .sort(),
        ).toEqual(open.map((h) => h.id).sort());
        // Nobody holds more than their capacity of 1, and an active rep with room never leaves work waiting.
        for (const rep of ['ana', 'bo'] as const) {
          const held = open.filter((h) => h.assignee === rep).length;
          expect(held).toBeLessThanOrEqual(1);
          if (active[rep] && held === 0) expect(open.filter((h) => h.assignee === null)).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
