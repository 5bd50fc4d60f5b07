import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '@baton/engine/internal';
import { json, testServer } from './harness.ts';

const DAY = 86_400_000;

describe('POST /api/journeys/:id/backtest (SPEC §10)', () => {
  it('replays the period through the journey with the traits contacts had when it began, beside what live did, and changes nothing', async () => {
    let now = Date.parse('2026-11-22T09:00:00Z');
    const server = await testServer({ clock: { now: () => now } });
    // Before the period: jane says who she is. In it: she views pricing and live hands her off.
    await server.ingest('identify', {
      userId: 'jane',
      traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
    });
    now += DAY; // Monday 2026-11-23 09:00 UTC
    await server.ingest('track', { userId: 'jane', event: 'Page Viewed', properties: { path: '/pricing' } });
    now += 2 * DAY; // nobody accepts: its SLA breaches and it escalates, live as in the backtest
    await server.settle();
    const liveHandoff = (await server.store.load('jane'))!.handoffs[0]!;
    expect(liveHandoff).toMatchObject({ breached: true, escalatedTo: 'mia' });
    const before = JSON.stringify(await server.store.contacts());
    const marketer = await server.token('marketer');
    const res = await server.call(marketer, 'POST', '/api/journeys/pricing-intent/backtest', {
      from: '2026-11-23T00:00:00Z',
      to: '2026-11-24T00:00:00Z',
      seed: 4,
    });
    expect(res.status).toBe(200);
    const body = await json<{
      draft: SimulationReport;
      live: { total: { handoffs: number } };
      reps: { reps: Record<string, unknown> };
    }>(res);
    const run = body.draft.contacts.jane!.journeys['pricing-intent']!;
    expect(run.path.slice(0, 2)).toEqual(['fit', 'handoff']); // the fit score needed the traits from before the period
    expect(run.handoffs[0]).toMatchObject({
      assignee: liveHandoff.assignee,
      breached: true,
      escalatedTo: 'mia',
      dueAt: new Date(liveHandoff.dueAt!).toISOString().replace('.000', ''),
    });
    expect(body.live.total.handoffs).toBe(1);
    expect(body.reps.reps).toMatchObject({ mia: { handoffs: 1, acceptShare: 0 } });
    expect(JSON.stringify(await server.store.contacts())).toBe(before);

    expect(
      (
        await server.call(marketer, 'POST', '/api/journeys/pricing-intent/backtest', {
          from: 'then',
          to: '2026-11-24T00:00:00Z',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await server.call(marketer, 'POST', '/api/journeys/nowhere/backtest', {
          from: '2026-11-23T00:00:00Z',
          to: '2026-11-24T00:00:00Z',
        })
      ).status,
    ).toBe(404);
    await server.close();
  });

  it('plays out nothing after now, as live has not: a handoff still inside its SLA does not breach in the draft', async () => {
    let now = Date.parse('2026-11-23T09:00:00Z'); // Monday 09:00 UTC
    const server = await testServer({ clock: { now: () => now } });
    await server.ingest('identify', {
      userId: 'jane',
      traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
    });
    await server.ingest('track', { userId: 'jane', event: 'Page Viewed', properties: { path: '/pricing' } });
    now += 3_600_000; // an hour later: the handoff is open, its SLA hours away
    await server.settle();
    expect((await server.store.load('jane'))!.handoffs[0]).toMatchObject({ status: 'open', breached: false });
    const marketer = await server.token('marketer');
    const res = await server.call(marketer, 'POST', '/api/journeys/pricing-intent/backtest', {
      from: '2026-11-23T00:00:00Z',
      to: '2026-11-24T00:00:00Z', // the period reaches into the future, as the designer's default does
      seed: 4,
      reps: 'fitted',
    });
    const body = await json<{ draft: SimulationReport & { timing: { until: string } } }>(res);
    expect(body.draft.timing.until).toBe('2026-11-23T10:00:00Z');
    expect(body.draft.contacts.jane!.journeys['pricing-intent']!.handoffs[0]).toMatchObject({ breached: false });
    expect(body.draft.handoffs).toMatchObject({ created: 1, breached: 0 });
    await server.close();
  });

  it('a backtest of the published journey itself reproduces, for the contacts that entered in the period, live entries, paths and assignees', async () => {
    let now = Date.parse('2026-11-23T07:00:00Z'); // Monday, 08:00 in Berlin
    const server = await testServer({ clock: { now: () => now } });
    const ids = ['early', 'c1', 'c2', 'c3', 'small'];
    for (const userId of ids)
      await server.ingest('identify', {
        userId,
        traits: {
          company: `${userId} AG`,
          employees: userId === 'small' ? 20 : 900,
          title: 'VP Sales',
          region: 'EMEA',
        },
      });
    // Before the period one contact is handed off (ana, round robin's first); in it, four more view pricing,
    // ten minutes apart: live's round robin goes on with bo, and so must the backtest's.
    now = Date.parse('2026-11-23T08:10:00Z');
    await server.ingest('track', { userId: 'early', event: 'Page Viewed', properties: { path: '/pricing' } });
    for (const [i, userId] of ['c1', 'c2', 'small', 'c3'].entries()) {
      now = Date.parse('2026-11-23T09:10:00Z') + i * 600_000;
      await server.ingest('track', { userId, event: 'Page Viewed', properties: { path: '/pricing' } });
    }
    // Live runs on to where the backtest stops (P30D after the last call): SLAs breach and escalate in both.
    now = Date.parse('2026-12-23T09:40:00Z');
    await server.settle();
    const period = 'from=2026-11-23T09:00:00Z&to=2026-11-23T12:00:00Z';
    const model = await json<{ routing: unknown }>(server.call(server.adminToken, 'GET', `/api/reps/model?${period}`));
    expect(model.routing).toEqual({ cursors: { 'emea-ae': { last: 0, current: {} } } });
    const res = await server.call(server.adminToken, 'POST', '/api/journeys/pricing-intent/backtest', {
      from: '2026-11-23T09:00:00Z',
      to: '2026-11-23T12:00:00Z',
      reps: 'none',
    });
    expect(res.status).toBe(200);
    const { draft, compare } = await json<{ draft: SimulationReport; compare: { draft: unknown; live: unknown } }>(res);
    // Side by side in the same terms (SPEC §10), the same here: entries, path counts, handoffs per rep per
    // day, breaches and outcomes.
    expect(compare.draft).toEqual(compare.live);
    expect(compare.live).toMatchObject({
      entries: 4,
      handoffs: { created: 3, accepted: 0, breached: 3 },
      perRepDay: expect.arrayContaining([expect.objectContaining({ handoffs: expect.any(Number) })]),
    });
    const inPeriod = ['c1', 'c2', 'small', 'c3'];
    expect(Object.keys(draft.contacts).sort()).toEqual([...inPeriod].sort());
    const entered: Record<string, number> = {};
    for (const id of inPeriod) {
      const state = (await server.store.load(id))!;
      const live = state.instances.find((i) => i.journeyId === 'pricing-intent')!;
      const replayed = draft.contacts[id]!.journeys['pricing-intent']!;
      for (const node of live.path) entered[node] = (entered[node] ?? 0) + 1;
      // Who got each handoff, in the trace of every routing decision (the first assignee, then the escalation).
      const routed = (hs: { assignee: string | null; escalatedTo: string | null; trace?: unknown }[]) =>
        hs.map((h) => ({ assignee: h.assignee, escalatedTo: h.escalatedTo, trace: h.trace }));
      expect({ id, path: replayed.path, handoffs: routed(replayed.handoffs) }).toEqual({
        id,
        path: live.path,
        handoffs: routed(state.handoffs.filter((h) => h.journeyId === 'pricing-intent')),
      });
    }
    expect(Object.fromEntries(Object.entries(draft.nodes['pricing-intent']!).map(([n, c]) => [n, c.entered]))).toEqual(
      entered,
    );
    expect(draft.handoffs.created).toBe(3);
    await server.close();
  });
});
