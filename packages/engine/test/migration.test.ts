import { describe, expect, it } from 'vitest';
import {
  BatonError,
  InputInvalidError,
  draftTarget,
  eventsOf,
  migrateContacts,
  moveContact,
  planFromStore,
  publishedTarget,
  simulateScript,
  simulationWorld,
} from '../src/internal.ts';

// Monday 2026-11-23 09:00 UTC.
const MON9 = Date.parse('2026-11-23T09:00:00Z');
const hours = {
  mon: ['09:00', '17:00'],
  tue: ['09:00', '17:00'],
  wed: ['09:00', '17:00'],
  thu: ['09:00', '17:00'],
  fri: ['09:00', '17:00'],
};
const team = {
  calendars: { utc: { timezone: 'UTC', hours } },
  reps: [
    { id: 'ana', name: 'Ana', calendar: 'utc' },
    { id: 'bo', name: 'Bo', calendar: 'utc' },
  ],
  queues: [{ id: 'ae', members: ['ana', 'bo'] }],
};
const kind = (k: string, next: string) => ({ label: k, when: { field: 'contact.kind', op: 'eq', value: k }, next });
const handoff = (id: string, outcomes: Record<string, string>, firstTouch = 'PT4H') => ({
  id,
  type: 'handoff',
  team: 'sales',
  record: 'lead',
  route: [{ to: { queue: 'ae' } }],
  sla: { firstTouch },
  outcomes,
});
const exits = [
  { id: 'done', type: 'exit', outcome: 'completed' },
  { id: 'won', type: 'exit', outcome: 'converted' },
  { id: 'replied', type: 'exit', outcome: 'replied' },
  { id: 'timedOut', type: 'exit', outcome: 'timed_out' },
];
const journey = (nodes: unknown[]) => ({
  schema: 'baton.journey/v1',
  id: 'onb',
  name: 'Onboarding',
  trigger: { event: 'Signed Up' },
  start: 'route',
  nodes,
});

const v1 = journey([
  {
    id: 'route',
    type: 'branch',
    paths: [kind('w', 'w'), kind('p', 'p'), kind('h', 'h'), kind('h2', 'h2'), kind('x', 'x')],
    otherwise: 'stay',
  },
  { id: 'w', type: 'wait', duration: 'P3D', next: 'done' },
  { id: 'p', type: 'pause', until: { event: 'Replied' }, timeout: 'P5D', next: 'replied', onTimeout: 'timedOut' },
  handoff('h', { won: 'won', lost: 'done' }),
  handoff('h2', { won: 'won', lost: 'done' }),
  { id: 'x', type: 'wait', duration: 'P2D', next: 'done' },
  { id: 'stay', type: 'wait', duration: 'P10D', next: 'done' },
  ...exits,
]);
// v2: shorter wait and timeout, an email after each, a handoff with one more outcome and a later SLA,
// h2 without `lost`, and no `stay`.
const v2 = journey([
  {
    id: 'route',
    type: 'branch',
    paths: [kind('w', 'w'), kind('p', 'p'), kind('h', 'h'), kind('h2', 'h2'), kind('x', 'x')],
    otherwise: 'done',
  },
  { id: 'w', type: 'wait', duration: 'P1D', next: 'mail' },
  { id: 'mail', type: 'action', action: 'email', params: { template: 'welcome' }, next: 'done' },
  { id: 'p', type: 'pause', until: { event: 'Replied' }, timeout: 'P3D', next: 'replied', onTimeout: 'nudge' },
  { id: 'nudge', type: 'action', action: 'email', params: { template: 'nudge' }, next: 'timedOut' },
  handoff('h', { won: 'won', lost: 'done', maybe: 'done' }, 'PT8H'),
  handoff('h2', { won: 'won' }),
  { id: 'x', type: 'wait', duration: 'P2D', next: 'done' },
  ...exits,
]);

const signUp = (at: string, userId: string) => ({ at, track: { userId, event: 'Signed Up' } });
const contacts = ['w1', 'w2', 'p', 'h', 'h2', 'x', 'stay', 'late'].map((id) => ({
  id,
  traits: {
    kind: id
      .replace(/\d$/, '')
      .replace('late', 'w')
      .replace('h', id === 'h2' ? 'h2' : 'h'),
  },
}));

const script = {
  start: '2026-11-23T09:00:00Z',
  until: '2026-12-10T00:00:00Z',
  contacts,
  steps: [
    signUp('2026-11-23T09:00:00Z', 'w1'),
    signUp('2026-11-23T09:00:00Z', 'p'),
    signUp('2026-11-23T09:00:00Z', 'x'),
    signUp('2026-11-23T09:00:00Z', 'stay'),
    signUp('2026-11-24T20:00:00Z', 'w2'),
    signUp('2026-11-25T09:30:00Z', 'h'),
    signUp('2026-11-25T09:30:00Z', 'h2'),
    { at: '2026-11-25T10:00:00Z', publish: { journey: v2, migrate: { x: 'p' } } },
    signUp('2026-11-25T11:00:00Z', 'late'),
    { at: '2026-11-25T15:00:00Z', outcome: { userId: 'h', journey: 'onb', node: 'h', outcome: 'maybe' } },
    { at: '2026-11-25T15:00:00Z', outcome: { userId: 'h2', journey: 'onb', node: 'h2', outcome: 'lost' } },
  ],
};

describe('publishing with a migration in a script (SPEC §10)', () => {
  it('moves waiting contacts on the virtual clock, refuses what cannot move, and leaves unmapped contacts on their version', async () => {
    const report = await simulateScript({ journeys: [v1], team, script });
    expect(report.refused).toEqual([]);
    const onb = (id: string) => report.contacts[id]!.journeys.onb!;
    // A wait whose recomputed instant (entered Monday 09:00 + P1D) has passed fires at the publish instant.
    expect(onb('w1')).toMatchObject({
      status: 'exited',
      version: 2,
      outcome: 'completed',
      path: ['route', 'w', 'mail', 'done'],
    });
    expect(onb('w1').messages).toEqual([
      { node: 'mail', action: 'email', at: '2026-11-25T10:00:00Z', suppressed: false },
    ]);
    // One still ahead fires at entered + the new duration (Tuesday 20:00 + P1D), not the old P3D.
    expect(onb('w2')).toMatchObject({ version: 2, path: ['route', 'w', 'mail', 'done'] });
    expect(onb('w2').messages[0]!.at).toBe('2026-11-25T20:00:00Z');
    // A pause's timeout moves the same way: Monday 09:00 + P3D, on to v2's onTimeout.
    expect(onb('p')).toMatchObject({ version: 2, outcome: 'timed_out', path: ['route', 'p', 'nudge', 'timedOut'] });
    expect(onb('p').messages[0]!.at).toBe('2026-11-26T09:00:00Z');
    // The handoff keeps its record, assignee and SLA clock (v1's PT4H from 09:30), and may log v2's new outcome.
    expect(onb('h')).toMatchObject({ version: 2, outcome: 'completed', path: ['route', 'h', 'done'] });
    expect(onb('h').handoffs).toMatchObject([
      {
        node: 'h',
        assignee: 'ana',
        assignedAt: '2026-11-25T09:30:00Z',
        dueAt: '2026-11-25T13:30:00Z',
        breached: true,
        outcome: 'maybe',
      },
    ]);
    // A handoff onto a node lacking one of its outcomes, and a wait mapped onto a pause, do not move: they finish on v1.
    expect(onb('h2')).toMatchObject({ version: 1, outcome: 'completed', path: ['route', 'h2', 'done'] });
    expect(onb('x')).toMatchObject({ version: 1, status: 'exited', path: ['route', 'x', 'done'] });
    // A contact at a node v2 does not have stays on v1 and finishes there after v1's P10D.
    expect(onb('stay')).toMatchObject({
      version: 1,
      status: 'exited',
      outcome: 'completed',
      path: ['route', 'stay', 'done'],
    });
    // New entries use the new version.
    expect(onb('late')).toMatchObject({ version: 2, path: ['route', 'w', 'mail', 'done'] });
    expect(onb('late').messages[0]!.at).toBe('2026-11-26T11:00:00Z');
  });

  it('counts a move to a node of another id as an entry of that node, as the path lists it', async () => {
    const moved = journey([
      { id: 'route', type: 'branch', paths: [kind('w', 'w2')], otherwise: 'done' },
      { id: 'w2', type: 'wait', duration: 'P1D', next: 'done' },
      exits[0],
    ]);
    const steps = [
      signUp('2026-11-23T09:00:00Z', 'w1'),
      { at: '2026-11-23T10:00:00Z', publish: { journey: moved, migrate: { w: 'w2' } } },
    ];
    const report = await simulateScript({ journeys: [v1], team, script: { ...script, steps } });
    expect(report.refused).toEqual([]);
    expect(report.contacts.w1!.journeys.onb).toMatchObject({ version: 2, path: ['route', 'w', 'w2', 'done'] });
    expect(report.nodes.onb).toMatchObject({ route: { entered: 1 }, w: { entered: 1 }, w2: { entered: 1 } });
  });

  it('refuses a publish step with a map naming a node no version has, and changes nothing', async () => {
    const steps = [
      signUp('2026-11-23T09:00:00Z', 'w1'),
      { at: '2026-11-23T10:00:00Z', publish: { journey: v2, migrate: { nowhere: 'w', w: 'missing' } } },
    ];
    const report = await simulateScript({ journeys: [v1], team, script: { ...script, steps } });
    expect(report.refused).toHaveLength(1);
    expect(report.refused[0]!.error).toContain('$.migrate.nowhere');
    expect(report.refused[0]!.error).toContain('$.migrate.w');
    expect(report.contacts.w1!.journeys.onb).toMatchObject({ version: 1, path: ['route', 'w', 'done'] });
  });

  it('publishes without migrating when the step carries no map', async () => {
    const steps = [
      signUp('2026-11-23T09:00:00Z', 'w1'),
      { at: '2026-11-23T10:00:00Z', publish: { journey: v2 } },
      signUp('2026-11-23T11:00:00Z', 'late'),
    ];
    const report = await simulateScript({ journeys: [v1], team, script: { ...script, steps } });
    expect(report.contacts.w1!.journeys.onb).toMatchObject({ version: 1, path: ['route', 'w', 'done'] });
    expect(report.contacts.late!.journeys.onb).toMatchObject({ version: 2 });
  });
});

async function waitingWorld() {
  const world = simulationWorld({ journeys: [v1], team }, MON9);
  for (const c of contacts.slice(0, 7)) {
    await world.runtime.ingest({ type: 'identify', userId: c.id, traits: c.traits });
    await world.runtime.ingest({ type: 'track', userId: c.id, event: 'Signed Up' });
  }
  return world;
}

describe('the migration plan and its application', () => {
  it('counts the moves per source and target node and names every contact that cannot move, changing nothing', async () => {
    const world = await waitingWorld();
    const before = JSON.stringify(await world.store.contacts());
    const plan = await planFromStore(
      world.store,
      world.runtime.catalog,
      draftTarget(world.runtime.catalog, v2, { x: 'p' }, team),
    );
    expect(plan).toEqual({
      journey: 'onb',
      version: 2,
      moves: [
        { fromVersion: 1, from: 'h', to: 'h', contacts: 1 },
        { fromVersion: 1, from: 'p', to: 'p', contacts: 1 },
        { fromVersion: 1, from: 'w', to: 'w', contacts: 2 },
      ],
      blocked: [
        {
          contactId: 'h2',
          fromVersion: 1,
          from: 'h2',
          to: 'h2',
          reason: 'the open handoff at h2 may still log lost, which h2 does not declare',
        },
        {
          contactId: 'x',
          fromVersion: 1,
          from: 'x',
          to: 'p',
          reason: 'x is a wait node and p a pause node: a contact moves only between nodes of the same type',
        },
      ],
      unmapped: [{ fromVersion: 1, from: 'stay', contacts: 1 }],
    });
    expect(JSON.stringify(await world.store.contacts())).toBe(before);
    expect(world.runtime.catalog.latestVersion('onb')).toBe(1);
  });

  it('refuses a map from a node nobody can wait at, or onto a node the new version lacks, naming each', async () => {
    const world = await waitingWorld();
    let err: unknown;
    try {
      draftTarget(
        world.runtime.catalog,
        v2,
        JSON.parse('{ "route": "w", "__proto__": "w", "w": "gone" }') as Record<string, string>,
        team,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputInvalidError);
    const paths = (err as InputInvalidError).errors.map((e) => e.path);
    expect(paths).toEqual(['$.migrate.route', '$.migrate.__proto__', '$.migrate.w']);
  });

  it('records each move on the timeline, and a migration resumed after a crash moves nobody twice', async () => {
    const world = await waitingWorld();
    const { runtime } = world;
    runtime.catalog.publish(v2, team);
    const target = publishedTarget(runtime.catalog, 'onb', {});
    // The crash: only w1 was moved before the process died.
    await runtime.change('w1', moveContact(runtime.catalog, target));
    const resumed = await migrateContacts(runtime, target);
    expect(resumed.moved).toBe(4); // w2, p, h, x (h2 cannot: v2's h2 lacks lost)
    const again = await migrateContacts(runtime, target);
    expect(again.moved).toBe(0);
    for (const id of ['w1', 'w2', 'p', 'h', 'x']) {
      const state = (await world.store.load(id))!;
      const migrated = eventsOf(state.contact).filter((e) => e.name === 'Journey Migrated');
      expect(migrated).toEqual([
        {
          name: 'Journey Migrated',
          at: MON9,
          properties: {
            journey: 'onb',
            fromVersion: 1,
            toVersion: 2,
            fromNode: id.replace(/\d$/, ''),
            toNode: id.replace(/\d$/, ''),
          },
        },
      ]);
      expect(state.instances[0]!.version).toBe(2);
    }
    // The moved handoff belongs to v2's node now, still open with its assignee.
    expect((await world.store.load('h'))!.handoffs[0]).toMatchObject({
      version: 2,
      node: 'h',
      status: 'open',
      outcomes: ['won', 'lost', 'maybe'],
    });
    expect((await world.store.load('stay'))!.instances[0]!.version).toBe(1);
    expect((await world.store.load('h2'))!.instances[0]!.version).toBe(1);
  });

  it('refuses a publish of an unknown version as a BatonError', () => {
    const world = simulationWorld({ journeys: [v1], team }, MON9);
    expect(() => publishedTarget(world.runtime.catalog, 'onb', {}, 5)).toThrow(BatonError);
  });
});

describe('ids a user chose, as SPEC §2 allows', () => {
  it('moves contacts waiting at nodes named __proto__ and constructor, by id and by the map', async () => {
    const protoWait = (duration: string) => ({ id: '__proto__', type: 'wait', duration, next: 'constructor' });
    const hostile = (nodes: unknown[], start = '__proto__') => ({
      schema: 'baton.journey/v1',
      id: '__proto__',
      name: 'Hostile',
      trigger: { event: 'Signed Up' },
      start,
      nodes: [
        ...nodes,
        { id: 'constructor', type: 'wait', duration: 'P1D', next: 'done' },
        { id: 'done', type: 'exit', outcome: 'completed' },
      ],
    });
    const steps = [
      signUp('2026-11-23T09:00:00Z', 'a'),
      { at: '2026-11-23T10:00:00Z', publish: { journey: hostile([protoWait('P2D')]), migrate: {} } },
      signUp('2026-11-23T11:00:00Z', 'b'),
      {
        at: '2026-11-23T12:00:00Z',
        publish: {
          journey: hostile([], 'constructor'),
          migrate: JSON.parse('{ "__proto__": "constructor" }') as Record<string, string>,
        },
      },
    ];
    const report = await simulateScript({
      journeys: [hostile([protoWait('P1D')])],
      script: { start: '2026-11-23T09:00:00Z', until: '2026-12-01T00:00:00Z', contacts: [], steps },
    });
    expect(report.refused).toEqual([]);
    // a: moved by id to v2, then by the map onto v3's constructor; b entered v2 and moved the same way.
    const a = report.contacts.a!.journeys.__proto__!;
    expect(a).toMatchObject({ version: 3, status: 'exited', path: ['__proto__', 'constructor', 'done'] });
    expect(report.contacts.b!.journeys.__proto__).toMatchObject({
      version: 3,
      status: 'exited',
      path: ['__proto__', 'constructor', 'done'],
    });
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
