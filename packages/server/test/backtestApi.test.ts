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
});
