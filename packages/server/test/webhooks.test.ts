import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { VirtualClock, formatInstant } from '@baton/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { json, pricingLead, testServer } from './harness.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP peer on 127.0.0.1 that answers each request with the next status of `statuses` (then 200). */
async function peer(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`;
  return { url, received, close: () => new Promise((done) => server.close(done)) };
}

/** Checks a Standard Webhooks signature independently of Baton's own code. */
function expectSigned(r: Received, secret: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`)
    .digest('base64');
  expect(r.headers['webhook-signature']).toBe(`v1,${expected}`);
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('webhooks out', () => {
  it('delivers every handoff life-cycle event, signed, to a real HTTP endpoint, retrying a failure with jittered backoff', async () => {
    let now = Date.parse('2026-11-23T09:00:00Z');
    const server = await testServer({ clock: { now: () => now }, deliveries: { baseMs: 1000, random: () => 0.5 } });
    const hooks = await peer([503]);
    cleanup.push(hooks.close, () => server.close());
    const endpoint = await json<{ id: string; secret: string }>(
      server.call(server.adminToken, 'POST', '/api/webhooks', { url: hooks.url }),
    );
    await pricingLead(server, 'c1');
    await server.settle();
    // The first delivery got a 503 and waits: full jitter with random 0.5 of a 1 s ceiling is 500 ms.
    const waiting = await json<{ pending: { id: string; attempts: number; nextAt: string; lastError: string }[] }>(
      server.call(server.adminToken, 'GET', '/api/webhooks/deliveries'),
    );
    const retry = waiting.pending.find((d) => d.attempts === 1)!;
    expect(retry).toMatchObject({ lastError: 'HTTP 503', nextAt: formatInstant(now + 500) });
    now += 500;
    await server.settle();
    expect(
      (await json<{ pending: unknown[] }>(server.call(server.adminToken, 'GET', '/api/webhooks/deliveries'))).pending,
    ).toEqual([]);
    const delivered = hooks.received.map((r) => JSON.parse(r.body) as { type: string; data: { contactId: string } });
    // Journey events (Journey Entered, ...) go out too; the handoff's life cycle so far is all there.
    expect(delivered.map((d) => d.type)).toEqual(expect.arrayContaining(['Handoff Created', 'Handoff Assigned']));
    for (const r of hooks.received) expectSigned(r, endpoint.secret);
    // The retry carried the same webhook-id as the first attempt, so the receiver can deduplicate.
    expect(hooks.received.filter((r) => r.headers['webhook-id'] === retry.id)).toHaveLength(2);
    expect(delivered[0]!.data.contactId).toBe('c1');
    // What became deliveries is gone from the store's outbox: the data file does not grow with every effect ever made.
    expect(await server.store.readOutbox(0, 1000)).toEqual([]);
  });

  it('lets effects no endpoint subscribes to leave the outbox without rewriting the delivery state', async () => {
    const server = await testServer();
    const file = join(server.data, 'deliveries.json');
    await pricingLead(server, 'c1');
    await server.settle();
    expect(await server.store.readOutbox(0, 1000)).toEqual([]);
    const written = existsSync(file) ? statSync(file).mtimeMs : null;
    await pricingLead(server, 'c2');
    await server.settle();
    expect(await server.store.readOutbox(0, 1000)).toEqual([]);
    expect(existsSync(file) ? statSync(file).mtimeMs : null).toBe(written);
    // An endpoint added now, and the process killed before it delivers anything: after the restart the
    // journal brings c1's and c2's effects back, and the endpoint is still not sent what came before it.
    const hooks = await peer();
    cleanup.push(hooks.close);
    await server.call(server.adminToken, 'POST', '/api/webhooks', { url: hooks.url });
    await server.close();
    const again = await testServer({ data: server.data });
    cleanup.push(() => again.close());
    await again.settle();
    expect(hooks.received).toEqual([]);
    await pricingLead(again, 'c3');
    await again.settle();
    const contacts = hooks.received.map((r) => (JSON.parse(r.body) as { data: { contactId: string } }).data.contactId);
    expect(new Set(contacts)).toEqual(new Set(['c3']));
    expect(await again.store.readOutbox(0, 1000)).toEqual([]);
  });

  it('disables an endpoint that answers 410, keeps its deliveries as dead letters, and replays them once it is back', async () => {
    const server = await testServer({ deliveries: { baseMs: 1, random: () => 0 } });
    const hooks = await peer([410]);
    cleanup.push(hooks.close, () => server.close());
    const endpoint = await json<{ id: string }>(
      server.call(server.adminToken, 'POST', '/api/webhooks', { url: hooks.url, events: ['Handoff Created'] }),
    );
    await pricingLead(server, 'c1');
    await server.settle();
    const [ep] = (
      await json<{ endpoints: { disabled: { reason: string } | null }[] }>(
        server.call(server.adminToken, 'GET', '/api/webhooks'),
      )
    ).endpoints;
    expect(ep!.disabled!.reason).toContain('410');
    const { dead } = await json<{ dead: { id: string; event: string; lastError: string }[] }>(
      server.call(server.adminToken, 'GET', '/api/webhooks/deliveries'),
    );
    expect(dead).toEqual([
      expect.objectContaining({
        event: 'Handoff Created',
        lastError: 'the endpoint answered 410 Gone and was disabled',
      }),
    ]);
    await server.call(server.adminToken, 'PATCH', `/api/webhooks/${endpoint.id}`, { enabled: true });
    expect(
      await json<{ replayed: number }>(
        server.call(server.adminToken, 'POST', `/api/webhooks/dead-letters/${dead[0]!.id}/replay`),
      ),
    ).toEqual({ replayed: 1 });
    await server.settle();
    expect(hooks.received).toHaveLength(2);
    expect(hooks.received[1]!.headers['webhook-id']).toBe(dead[0]!.id);
    expect(
      await json<{ dead: unknown[]; pending: unknown[] }>(
        server.call(server.adminToken, 'GET', '/api/webhooks/deliveries'),
      ),
    ).toEqual({ dead: [], pending: [] });
  });

  it('moves a delivery to the dead letters after the last attempt', async () => {
    const server = await testServer({ deliveries: { baseMs: 1, random: () => 0, maxAttempts: 3 } });
    const hooks = await peer([500, 500, 500]);
    cleanup.push(hooks.close, () => server.close());
    await server.call(server.adminToken, 'POST', '/api/webhooks', { url: hooks.url, events: ['Handoff Created'] });
    await pricingLead(server, 'c1');
    for (let i = 0; i < 3; i++) await server.settle();
    const { dead, pending } = await json<{ dead: { attempts: number; lastError: string }[]; pending: unknown[] }>(
      server.call(server.adminToken, 'GET', '/api/webhooks/deliveries'),
    );
    expect(pending).toEqual([]);
    expect(dead).toEqual([expect.objectContaining({ attempts: 3, lastError: 'HTTP 500' })]);
    expect(hooks.received).toHaveLength(3);
  });

  it('refuses an endpoint that is not an http(s) URL', async () => {
    const server = await testServer();
    cleanup.push(() => server.close());
    const res = await server.call(server.adminToken, 'POST', '/api/webhooks', { url: 'ftp://example.com' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('$.url');
  });
});

describe('webhooks in', () => {
  const signed = (secret: string, id: string, timestamp: number, body: string) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
      'content-type': 'application/json',
    };
  };

  it('logs an outcome a CRM sends, signed; refuses a bad signature, a stale timestamp and a replayed id', async () => {
    const server = await testServer();
    cleanup.push(() => server.close());
    const h = await pricingLead(server, 'c1');
    await server.runtime.accept({ userId: 'c1', journey: 'pricing-intent', node: 'handoff' });
    const secret = server.config.data.inboundSecret;
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'handoff.outcome',
      data: { handoff: h.id, outcome: 'meeting_booked', value: 5000 },
    });
    const post = (headers: Record<string, string>, b = body) =>
      server.app.request('/v1/inbound', { method: 'POST', headers, body: b });

    expect((await post(signed(`whsec_${randomBytes(24).toString('base64')}`, 'evt_1', now, body))).status).toBe(401);
    const stale = await post(signed(secret, 'evt_1', now - 6 * 60, body));
    expect(stale.status).toBe(401);
    expect((await json<{ error: { message: string } }>(stale)).error.message).toContain('5 minutes');
    expect((await post(signed(secret, 'evt_1', now, body), body.replace('5000', '9000'))).status).toBe(401);
    expect((await server.store.load('c1'))!.handoffs[0]!.status).toBe('open');

    const ok = await post(signed(secret, 'evt_1', now - 4 * 60, body));
    expect(ok.status).toBe(200);
    expect((await server.store.load('c1'))!.handoffs[0]).toMatchObject({
      status: 'closed',
      outcome: 'meeting_booked',
      value: 5000,
    });
    const replay = await post(signed(secret, 'evt_1', now, body));
    expect(replay.status).toBe(409);
    expect((await json<{ error: { code: string } }>(replay)).error.code).toBe('replayed');
  });

  it('refuses with 401 a webhook stamped more than 5 minutes in the future, and changes nothing', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-23T09:00:00Z'));
    const server = await testServer({ clock });
    cleanup.push(() => server.close());
    const h = await pricingLead(server, 'c1');
    const secret = server.config.data.inboundSecret;
    const now = Math.floor(clock.now() / 1000);
    const body = JSON.stringify({ type: 'handoff.outcome', data: { handoff: h.id, outcome: 'meeting_booked' } });
    const post = (timestamp: number) =>
      server.app.request('/v1/inbound', {
        method: 'POST',
        headers: signed(secret, 'evt_ahead', timestamp, body),
        body,
      });

    const ahead = await post(now + 6 * 60);
    expect(ahead.status).toBe(401);
    expect((await json<{ error: { code: string; message: string } }>(ahead)).error).toMatchObject({
      code: 'signature_invalid',
      message: expect.stringContaining('5 minutes'),
    });
    expect((await server.store.load('c1'))!.handoffs[0]!.status).toBe('open');

    // A sender whose clock runs up to 5 minutes fast is still heard.
    expect((await post(now + 4 * 60)).status).toBe(200);
    expect((await server.store.load('c1'))!.handoffs[0]).toMatchObject({ status: 'closed', outcome: 'meeting_booked' });
  });
});
