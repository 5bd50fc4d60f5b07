import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, pricingLead, testServer } from './harness.ts';
import { readStream } from './sse.ts';

let server: Awaited<ReturnType<typeof testServer>>;
let listener: ReturnType<typeof serve>;
let base: string;

beforeAll(async () => {
  server = await testServer();
  listener = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
  });
  const address = listener.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  (listener as Server).closeAllConnections();
  await new Promise((done) => listener.close(done));
  await server.close();
});

/** Opens the SSE stream as a browser's EventSource would (token in the query) and collects its events. */
async function subscribe(token: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/stream?access_token=${token}`, { signal: controller.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const { events, until, done } = readStream(
    res,
    (data) => JSON.parse(data) as { name: string; data: Record<string, unknown> },
  );
  await until(() => events.some((e) => e.event === 'ready'));
  return {
    events,
    until,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

describe('the live stream', () => {
  it("streams handoff and journey events; a rep's stream carries only their own handoffs", async () => {
    const admin = await subscribe(server.adminToken);
    const ana = await subscribe(await server.token('rep', 'ana'));
    const bo = await subscribe(await server.token('rep', 'bo'));
    const h = await pricingLead(server, 'live-1');
    await admin.until(() => admin.events.some((e) => e.data.name === 'Handoff Assigned'));
    await ana.until(() => ana.events.some((e) => e.data.name === 'Handoff Assigned'));
    expect(admin.events.map((e) => e.data.name)).toEqual(
      expect.arrayContaining(['Journey Entered', 'Handoff Created', 'Handoff Assigned']),
    );
    const assigned = ana.events.find((e) => e.data.name === 'Handoff Assigned')!;
    expect(assigned).toMatchObject({
      event: 'handoff',
      data: { contactId: 'live-1', data: { handoff: h.id, rep: 'ana' } },
    });
    expect(ana.events.every((e) => e.event === 'ready' || e.event === 'handoff')).toBe(true);
    expect(bo.events.map((e) => e.event)).toEqual(['ready']);
    await Promise.all([admin.close(), ana.close(), bo.close()]);
  });

  it("tells a rep's stream when work waiting in their queue arrives, is claimed by a colleague, or is given to one", async () => {
    const team = await json<{ queues: { id: string; members: string[] }[] }>(
      server.call(server.adminToken, 'GET', '/api/team'),
    );
    const pool = team.queues.find((q) => q.id === 'sdr-pool')!;
    // bo joins cy in the fallback queue; everyone is full, so new leads wait there unassigned.
    await server.call(server.adminToken, 'PUT', '/api/team', {
      ...team,
      queues: team.queues.map((q) => (q === pool ? { ...q, members: ['cy', 'bo'] } : q)),
    });
    for (const rep of ['ana', 'bo', 'cy'])
      await server.call(server.adminToken, 'PATCH', `/api/team/reps/${rep}`, { capacity: 0 });
    const ana = await subscribe(await server.token('rep', 'ana'));
    const bo = await subscribe(await server.token('rep', 'bo'));
    const cy = await subscribe(await server.token('rep', 'cy'));
    const seen = (s: Awaited<ReturnType<typeof subscribe>>, name: string, handoff: string) =>
      s.events.some((e) => e.data.name === name && e.data.data.handoff === handoff);

    const first = await pricingLead(server, 'queue-1', { region: 'APAC' });
    expect(first).toMatchObject({ assignee: null, queue: 'sdr-pool' });
    await bo.until(() => seen(bo, 'Handoff Unassigned', first.id));
    expect(seen(cy, 'Handoff Unassigned', first.id)).toBe(true);
    // cy claims it: bo's queue tab must drop it.
    expect((await server.call(await server.token('rep', 'cy'), 'POST', `/api/handoffs/${first.id}/claim`)).status).toBe(
      200,
    );
    await bo.until(() => seen(bo, 'Handoff Reassigned', first.id));
    expect(bo.events.find((e) => e.data.name === 'Handoff Reassigned')!.data.data).toMatchObject({
      rep: 'cy',
      from: null,
      queue: 'sdr-pool',
    });

    // bo gets room: the waiting lead is given to bo, and cy hears it left the queue.
    const second = await pricingLead(server, 'queue-2', { region: 'APAC' });
    await cy.until(() => seen(cy, 'Handoff Unassigned', second.id));
    await server.call(server.adminToken, 'PATCH', '/api/team/reps/bo', { capacity: 5 });
    await cy.until(() => seen(cy, 'Handoff Assigned', second.id));
    expect(
      cy.events.find((e) => e.data.name === 'Handoff Assigned' && e.data.data.handoff === second.id)!.data.data,
    ).toMatchObject({ rep: 'bo', fromQueue: 'sdr-pool' });

    // ana is in no queue these waited in: none of it reached her.
    expect(ana.events.filter((e) => e.event === 'handoff')).toEqual([]);
    await Promise.all([ana.close(), bo.close(), cy.close()]);
  });

  it('refuses a stream without a valid token', async () => {
    expect((await fetch(`${base}/api/stream?access_token=nope`)).status).toBe(401);
  });
});
