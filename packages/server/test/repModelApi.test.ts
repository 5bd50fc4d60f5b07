import { describe, expect, it } from 'vitest';
import { RepModel } from '@baton/engine/internal';
import { json, pricingLead, testServer } from './harness.ts';

describe('GET /api/reps/model (SPEC §10 backtest)', () => {
  it("fits each rep's accept share, times and outcome mix to the handoffs created in the period", async () => {
    let now = Date.parse('2026-11-23T09:00:00Z'); // a Monday, inside Berlin hours
    const server = await testServer({ clock: { now: () => now } });
    const a = await pricingLead(server, 'r1', { ownerId: 'ana' });
    const b = await pricingLead(server, 'r2', { ownerId: 'ana' });
    now += 30 * 60_000;
    await server.call(server.adminToken, 'POST', `/api/handoffs/${a.id}/accept`);
    now += 60 * 60_000;
    await server.call(server.adminToken, 'POST', `/api/handoffs/${a.id}/outcome`, { outcome: 'meeting_booked' });
    expect(b.assignee).toBe('ana');
    const marketer = await server.token('marketer');
    const res = await server.call(marketer, 'GET', '/api/reps/model?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z');
    expect(res.status).toBe(200);
    const model = await json<RepModel>(res);
    expect(model).toEqual({
      from: '2026-11-23T00:00:00Z',
      to: '2026-11-24T00:00:00Z',
      reps: {
        ana: {
          handoffs: 2,
          acceptShare: 0.5,
          acceptSeconds: 1800,
          outcomeSeconds: 3600,
          outcomes: { 'pricing-intent': { handoff: { meeting_booked: 1 } } },
        },
      },
      routing: { cursors: {} }, // no queue had assigned anyone before the period
    });
    // What the CLI's --reps takes.
    expect(RepModel.safeParse(model).success).toBe(true);
    expect(
      (await json<RepModel>(server.call(marketer, 'GET', '/api/reps/model?from=2026-11-24T00:00:00Z'))).reps,
    ).toEqual({});
    const bad = await server.call(marketer, 'GET', '/api/reps/model?from=yesterday');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('from must be an ISO 8601 instant');
    expect(
      (await server.call(marketer, 'GET', '/api/reps/model?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z')).status,
    ).toBe(400);
    await server.close();
  });
});
