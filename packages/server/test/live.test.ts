import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricingLead, testServer } from './harness.ts';

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
  const reader = res.body!.getReader();
  const events: { event: string; data: { name: string; data: Record<string, unknown> } }[] = [];
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += new TextDecoder().decode(value);
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 100 && !test(); i++) await new Promise((r) => setTimeout(r, 20));
  };
  await until(() => events.some((e) => e.event === 'ready'));
  return { events, until, close: async () => { controller.abort(); await pump; } };
}

describe('the live stream', () => {
  it("streams handoff and journey events; a rep's stream carries only their own handoffs", async () => {
    const admin = await subscribe(server.adminToken);
    const ana = await subscribe(await server.token('rep', 'ana'));
    const bo = await subscribe(await server.token('rep', 'bo'));
    const h = await pricingLead(server, 'live-1');
    await admin.until(() => admin.events.some((e) => e.data.name === 'Handoff Assigned'));
    await ana.until(() => ana.events.some((e) => e.data.name === 'Handoff Assigned'));
    expect(admin.events.map((e) => e.data.name)).toEqual(expect.arrayContaining(['Journey Entered', 'Handoff Created', 'Handoff Assigned']));
    const assigned = ana.events.find((e) => e.data.name === 'Handoff Assigned')!;
    expect(assigned).toMatchObject({ event: 'handoff', data: { contactId: 'live-1', data: { handoff: h.id, rep: 'ana' } } });
    expect(ana.events.every((e) => e.event === 'ready' || e.event === 'handoff')).toBe(true);
    expect(bo.events.map((e) => e.event)).toEqual(['ready']);
    await Promise.all([admin.close(), ana.close(), bo.close()]);
  });

  it('refuses a stream without a valid token', async () => {
    expect((await fetch(`${base}/api/stream?access_token=nope`)).status).toBe(401);
  });
});
