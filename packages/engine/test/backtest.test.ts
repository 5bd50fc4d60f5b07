import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  InputInvalidError,
  Team,
  advanceTo,
  buildReport,
  fitRepModel,
  formatInstant,
  routingAt,
  simulateEvents,
  simulationWorld,
} from '../src/internal.ts';

const example = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/pricing-intent/${file}`, import.meta.url), 'utf8')) as unknown;
const journey = example('journey.json');
const team = example('team.json');
const workspace = example('workspace.json');
const T0 = Date.parse('2026-11-23T08:00:00Z'); // Monday 09:00 in Berlin
const HOUR = 3_600_000;

/** Twelve contacts, one every three hours: an identify, then a view of the pricing page a minute later. */
const calls = Array.from({ length: 12 }, (_, i) => [
  {
    type: 'identify',
    userId: `c${i}`,
    traits: {
      company: `Co ${i}`,
      employees: i % 2 ? 900 : 50,
      title: i % 3 ? 'VP Sales' : 'Engineer',
      region: i % 4 ? 'EMEA' : 'US',
    },
    timestamp: formatInstant(T0 + i * 3 * HOUR),
  },
  {
    type: 'page',
    userId: `c${i}`,
    name: 'Pricing',
    properties: { path: '/pricing' },
    timestamp: formatInstant(T0 + i * 3 * HOUR + 60_000),
  },
]).flat();
// Recorded in the order received, which need not be time order.
const shuffled = [...calls.slice(6), ...calls.slice(0, 6)];

const model = (acceptShare: number) => ({
  reps: Object.fromEntries(
    ['ana', 'bo', 'cy', 'mia'].map((rep) => [
      rep,
      {
        handoffs: 10,
        acceptShare,
        acceptSeconds: 3600,
        outcomeSeconds: 86_400,
        outcomes: { 'pricing-intent': { handoff: { meeting_booked: 3, not_interested: 1 } } },
      },
    ]),
  ),
});

describe('backtest: recorded events replayed through a draft (SPEC §10)', () => {
  it('is deterministic for a seed, with reps acting as the model says', async () => {
    const run = () =>
      simulateEvents({ journeys: [journey], team, workspace, events: shuffled, reps: model(0.75), seed: 7 });
    const first = await run();
    expect(first.handoffs.created).toBeGreaterThan(0);
    expect(first.handoffs.accepted).toBeGreaterThan(0);
    expect(first.timing).toMatchObject({
      seed: 7,
      events: 24,
      from: '2026-11-23T08:00:00Z',
      until: '2026-12-24T17:01:00Z',
    });
    expect(first.timing.repActions).toBeGreaterThan(first.handoffs.accepted - 1);
    expect(await run()).toEqual(first);
    const outcomes = Object.values(first.contacts)
      .flatMap((c) => c.journeys['pricing-intent']?.handoffs ?? [])
      .map((h) => h.outcome);
    expect(outcomes).toContain('meeting_booked');
  });

  it('with reps who accept nothing, or no model at all, every handoff that reaches its SLA breaches', async () => {
    for (const reps of [model(0), undefined]) {
      const report = await simulateEvents({
        journeys: [journey],
        team,
        workspace,
        events: shuffled,
        seed: 1,
        ...(reps ? { reps } : {}),
      });
      expect(report.handoffs.created).toBeGreaterThan(0);
      expect(report.handoffs.accepted).toBe(0);
      expect(report.handoffs.breached).toBe(report.handoffs.created);
    }
  });

  it('with reps who accept nothing, the breaches are exactly the handoffs whose SLA falls before the run ends', async () => {
    // The run stops an hour after the last call: the handoffs of the evening are still inside their SLA.
    const report = await simulateEvents({
      journeys: [journey],
      team,
      workspace,
      events: shuffled,
      reps: model(0),
      seed: 1,
      after: 'PT1H',
    });
    const handoffs = Object.values(report.contacts).flatMap((c) => c.journeys['pricing-intent']?.handoffs ?? []);
    const due = handoffs.filter((h) => Date.parse(h.dueAt!) <= Date.parse(report.timing.until));
    expect(handoffs).toHaveLength(report.handoffs.created);
    expect(due.length).toBeGreaterThan(0);
    expect(due.length).toBeLessThan(handoffs.length);
    expect(report.handoffs.accepted).toBe(0);
    expect(report.handoffs.breached).toBe(due.length);
    expect(handoffs.filter((h) => h.breached)).toEqual(due);
  });

  it('stops at `until` (the present, beside live): no breach, expiry or event after it', async () => {
    const replay = (extra: Record<string, unknown>) =>
      simulateEvents({ journeys: [journey], team, workspace, events: shuffled, seed: 1, ...extra });
    const lastCall = T0 + 11 * 3 * HOUR + 60_000;
    const until = formatInstant(lastCall + HOUR);
    const capped = await replay({ reps: model(0), until });
    expect(capped.timing.until).toBe(until);
    expect(capped).toEqual(await replay({ reps: model(0), after: 'PT1H' })); // as if run an hour past the last call
    // `until` never moves the end later than the events played out, nor before the start.
    const late = await replay({ until: '2027-06-01T00:00:00Z' });
    expect(late.timing.until).toBe(formatInstant(lastCall + 30 * 24 * HOUR));
    const early = await replay({ until: formatInstant(T0 + 4 * HOUR) });
    expect(early.timing.until).toBe(formatInstant(T0 + 4 * HOUR));
    expect(Object.keys(early.contacts).sort()).toEqual(['c0', 'c1']); // calls after `until` are not applied
  });

  it('replaying the published journey itself reproduces what live did: entries, paths and assignees', async () => {
    // "Live": the same calls as they arrived, on a clock of their own, nobody acting on handoffs.
    const live = simulationWorld({ journeys: [journey], team, workspace }, T0);
    for (const call of calls) {
      await advanceTo(live, Date.parse(call.timestamp));
      await live.runtime.ingest(
        call.type === 'page'
          ? {
              type: 'track',
              userId: call.userId,
              event: 'Page Viewed',
              properties: { ...call.properties, name: 'Pricing' },
              timestamp: call.timestamp,
            }
          : call,
      );
    }
    await advanceTo(live, Date.parse(calls.at(-1)!.timestamp) + 30 * 24 * HOUR);
    const liveReport = await buildReport(live, []);
    const backtest = await simulateEvents({ journeys: [journey], team, workspace, events: shuffled, seed: 3 });
    expect(backtest.contacts).toEqual(liveReport.contacts);
    expect(backtest.nodes).toEqual(liveReport.nodes);
  });

  it("starts each queue where live's was when the period began: round robin's last member, weighted's counters", async () => {
    const parsed = Team.parse({
      ...(team as object),
      queues: [
        { id: 'emea-ae', members: ['ana', 'bo'] },
        { id: 'pairs', members: ['ana', 'bo'], strategy: 'weighted' },
        { id: 'sdr-pool', members: ['cy'] },
        { id: 'sales-managers', members: ['mia'] },
      ],
    });
    const at = (h: number, queue: string, rep: string) => ({ at: T0 + h * HOUR, queue, rep });
    const assignments = [
      at(1, 'emea-ae', 'ana'),
      at(2, 'emea-ae', 'bo'),
      at(3, 'emea-ae', 'ana'),
      at(9, 'emea-ae', 'bo'), // after the period began: not live's state then
      at(1, 'pairs', 'ana'), // smooth weighted, ana 2 and bo 1: ana, bo, ana bring the counters back to 0; ana again: -1, 1
      at(2, 'pairs', 'bo'),
      at(3, 'pairs', 'ana'),
      at(4, 'pairs', 'ana'),
    ];
    expect(routingAt(parsed, assignments, T0 + 8 * HOUR)).toEqual({
      cursors: { 'emea-ae': { last: 0, current: {} }, pairs: { last: 0, current: { ana: -1, bo: 1 } } },
    });
    // The first handoff of the replay: ana when the queue starts afresh, bo when live's last was ana.
    const firstRoute = async (routing?: unknown) => {
      const report = await simulateEvents({
        journeys: [journey],
        team,
        workspace,
        events: shuffled,
        seed: 1,
        ...(routing ? { reps: { reps: {}, routing } } : {}),
      });
      const handoffs = Object.values(report.contacts).flatMap((c) => c.journeys['pricing-intent']?.handoffs ?? []);
      return handoffs.sort((a, b) => a.assignedAt!.localeCompare(b.assignedAt!))[0]!.trace;
    };
    expect(await firstRoute()).toContain('rule 2 queue emea-ae: ana (round robin)');
    expect(await firstRoute({ cursors: { 'emea-ae': { last: 0, current: {} } } })).toContain(
      'rule 2 queue emea-ae: bo (round robin)',
    );
  });

  it('refuses calls it cannot replay, naming each by its line', async () => {
    const bad = [
      calls[0],
      { type: 'track', userId: 'x', event: 'Seen' },
      { type: 'track', event: 'No one', timestamp: '2026-11-23T08:00:00Z' },
    ];
    const err = await simulateEvents({ journeys: [journey], team, workspace, events: bad, seed: 1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputInvalidError);
    expect((err as InputInvalidError).errors.map((e) => e.path)).toEqual(['$[1].timestamp', '$[2]']);
  });
});

describe('the reps model fitted to recorded handoffs', () => {
  it('gives each rep their accept share, mean times to accept and to outcome, and outcome mix per journey and node', async () => {
    const live = simulationWorld({ journeys: [journey], team, workspace }, T0);
    for (const [i, userId] of ['a', 'b', '__proto__'].entries()) {
      await live.runtime.ingest({
        type: 'identify',
        userId,
        traits: { employees: 900, title: 'VP Sales', region: 'EMEA' },
        timestamp: formatInstant(T0 + i),
      });
      await live.runtime.ingest({
        type: 'track',
        userId,
        event: 'Page Viewed',
        properties: { path: '/pricing' },
        timestamp: formatInstant(T0 + i),
      });
    }
    const handoffs = async () => (await live.store.contacts()).flatMap((s) => s.handoffs);
    const [a, b] = await handoffs();
    await advanceTo(live, T0 + HOUR);
    await live.runtime.accept({ handoff: a!.id });
    await advanceTo(live, T0 + 3 * HOUR);
    await live.runtime.logOutcome({ handoff: a!.id, outcome: 'meeting_booked' });
    const fitted = fitRepModel(await handoffs(), T0, T0 + 24 * HOUR);
    expect(fitted.from).toBe('2026-11-23T08:00:00Z');
    const holder = fitted.reps[a!.assignee!]!;
    expect(holder).toMatchObject({
      acceptSeconds: 3600,
      outcomeSeconds: 7200,
      outcomes: { 'pricing-intent': { handoff: { meeting_booked: 1 } } },
    });
    expect(holder.acceptShare).toBe(Math.round((1 / holder.handoffs) * 10_000) / 10_000);
    expect(Object.values(fitted.reps).reduce((n, r) => n + r.handoffs, 0)).toBe(3);
    expect(b!.assignee).not.toBeNull();
    expect(fitRepModel(await handoffs(), T0 + HOUR, null).reps).toEqual({});
  });
});
