import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readStream } from './sse.ts';
import { json, pricingLead, testServer } from './harness.ts';
import { listenBaton } from './listen.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
interface ErrorBody {
  error: { code: string; message: string; errors?: { path: string; message: string }[] };
}

const open: Server[] = [];
const start = async (...args: Parameters<typeof testServer>) => {
  const server = await testServer(...args);
  open.push(server);
  return server;
};
afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

/** JSON text nested `levels` deep: `{"a":{"a":...1...}}`. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const basic = (user: string) => `Basic ${Buffer.from(`${user}:`, 'utf8').toString('base64')}`;

describe('credentials', () => {
  it('answers 401, not 500, to a token or a write key of non-ASCII characters as long as the real one', async () => {
    const server = await start();
    const { adminToken, writeKey } = server.config.data;
    // 'é' is one UTF-16 unit but two UTF-8 bytes: the same length as a string, not as bytes.
    for (const token of [
      'é'.repeat(adminToken.length),
      'x'.repeat(adminToken.length),
      'x',
      'é'.repeat(adminToken.length * 2),
    ]) {
      expect((await server.call(token, 'GET', '/api/me')).status).toBe(401);
    }
    const viaQuery = await server.app.request(
      `/api/stream?access_token=${encodeURIComponent('€'.repeat(adminToken.length))}`,
    );
    expect(viaQuery.status).toBe(401);
    for (const key of ['é'.repeat(writeKey.length), 'wrong']) {
      const res = await server.app.request('/v1/track', {
        method: 'POST',
        headers: { authorization: basic(key), 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'u1', event: 'A' }),
      });
      expect(res.status).toBe(401);
    }
    // The real ones still work.
    expect((await server.call(adminToken, 'GET', '/api/me')).status).toBe(200);
    expect((await server.ingest('track', { userId: 'u1', event: 'A' })).status).toBe(200);
  });

  it('takes ?access_token= on the live stream only, not on any other path ending in /stream', async () => {
    const server = await start();
    const { adminToken } = server.config.data;
    const journey = {
      schema: 'baton.journey/v1',
      id: 'stream',
      name: 'Stream',
      trigger: { event: 'Signed Up' },
      start: 'end',
      nodes: [{ id: 'end', type: 'exit', outcome: 'done' }],
    };
    expect((await server.call(adminToken, 'POST', '/api/journeys', journey)).status).toBe(201);
    expect((await server.call(adminToken, 'GET', '/api/journeys/stream')).status).toBe(200);
    expect((await server.app.request(`/api/journeys/stream?access_token=${adminToken}`)).status).toBe(401);
    expect((await server.app.request(`/api/contacts/stream?access_token=${adminToken}`)).status).toBe(401);
    expect(
      (await server.app.request(`/api/tokens/stream?access_token=${adminToken}`, { method: 'DELETE' })).status,
    ).toBe(401);
    const stream = await server.app.request(`/api/stream?access_token=${adminToken}`);
    expect(stream.status).toBe(200);
    await stream.body!.cancel();
  });
});

describe('a revoked token', () => {
  it('ends its open live stream at once, and nothing more reaches it', async () => {
    const server = await start();
    const issued = await json<{ id: string; token: string }>(
      server.call(server.adminToken, 'POST', '/api/tokens', { role: 'marketer' }),
    );
    const stream = readStream(await server.call(issued.token, 'GET', '/api/stream'));
    await stream.until(() => stream.events.some((e) => e.event === 'ready'));
    expect((await server.call(server.adminToken, 'DELETE', `/api/tokens/${issued.id}`)).status).toBe(204);
    await stream.until(stream.ended);
    expect(stream.ended()).toBe(true);
    await pricingLead(server, 'after-revoke');
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.events.map((e) => e.event)).toEqual(['ready', 'revoked']);
    expect((await server.call(issued.token, 'GET', '/api/stream')).status).toBe(401);
    await stream.cancel();
  });

  it('gets no further event on a stream however the token went, and that stream ends', async () => {
    const server = await start();
    const issued = await json<{ id: string; token: string }>(
      server.call(server.adminToken, 'POST', '/api/tokens', { role: 'marketer' }),
    );
    const admin = readStream(await server.call(server.adminToken, 'GET', '/api/stream'));
    const stream = readStream(await server.call(issued.token, 'GET', '/api/stream'));
    await stream.until(() => stream.events.some((e) => e.event === 'ready'));
    // Gone from the configuration without the API route that tells the live feed.
    await server.config.revokeToken(issued.id);
    await pricingLead(server, 'gone');
    await admin.until(() => admin.events.some((e) => e.event === 'handoff'));
    await stream.until(stream.ended);
    expect(stream.events.filter((e) => e.event !== 'ready' && e.event !== 'revoked')).toEqual([]);
    expect(stream.ended()).toBe(true);
    await Promise.all([admin.cancel(), stream.cancel()]);
  });
});

describe('request bodies', () => {
  it('parses a rep change by its schema: 400 for null, deep nesting, a non-object or an unknown field; 404 for an unknown rep', async () => {
    const server = await start();
    const patch = (body: string, rep = 'ana') => server.call(server.adminToken, 'PATCH', `/api/team/reps/${rep}`, body);
    for (const body of [
      'null',
      '[]',
      '5',
      '"x"',
      `{"active":true,"x":${nested(50_000)}}`,
      nested(50_000),
      '{"active":"yes"}',
      '{"capacity":-1}',
      '{"capacity":1.5}',
    ]) {
      const res = await patch(body);
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect((await json<ErrorBody>(res)).error.code).toBe('input_invalid');
    }
    const unknown = await patch('{"active":false,"role":"admin"}');
    expect(unknown.status).toBe(400);
    expect((await json<ErrorBody>(unknown)).error.errors).toEqual([
      { path: '$.role', node: null, message: 'unknown field "role"' },
    ]);
    expect((await patch('{"capacity":3}', 'zed')).status).toBe(404);
    const ok = await patch('{"capacity":3,"active":true}');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id: 'ana', capacity: 3, active: true });
  });

  it("parses a handoff action's body by its schema: unknown fields and wrong types are 400 naming them", async () => {
    const server = await start();
    const h = await pricingLead(server, 'c1');
    const act = (action: string, body: string) =>
      server.call(server.adminToken, 'POST', `/api/handoffs/${h.id}/${action}`, body);
    for (const [action, body, path] of [
      ['accept', '[]', '$'],
      ['accept', 'null', '$'],
      ['accept', '{"rep":"ana","force":true}', '$.force'],
      ['reject', '{"reason":5}', '$.reason'],
      ['outcome', '{"outcome":"meeting_booked","value":"5000"}', '$.value'],
      ['outcome', '{"outcome":"meeting_booked","vaule":5000}', '$.vaule'],
      ['reassign', 'null', '$'],
      ['reassign', '{"rep":"bo","note":"x"}', '$.note'],
    ] as const) {
      const res = await act(action, body);
      expect(res.status, `${action} ${body}`).toBe(400);
      expect((await json<ErrorBody>(res)).error.errors?.[0]?.path, `${action} ${body}`).toBe(path);
    }
    expect((await server.store.load('c1'))!.handoffs[0]).toMatchObject({
      status: 'open',
      acceptedAt: null,
      rejectedBy: [],
    });
    expect((await act('accept', '')).status).toBe(200);
    expect(
      await json<{ status: string; value: number }>(act('outcome', '{"outcome":"meeting_booked","value":5000}')),
    ).toMatchObject({ status: 'closed', value: 5000 });
  });

  it('refuses a journey that is not a JSON object, and any body nested too deep, with a 400 instead of a 500', async () => {
    const server = await start();
    for (const body of ['[]', 'null', '5'])
      expect((await server.call(server.adminToken, 'POST', '/api/journeys', body)).status).toBe(400);
    const deep = await server.call(server.adminToken, 'POST', '/api/journeys', `{"id":"deep","x":${nested(50_000)}}`);
    expect(deep.status).toBe(400);
    expect((await json<ErrorBody>(deep)).error.message).toContain('nests deeper than');
    expect((await server.call(server.adminToken, 'POST', '/api/journeys/x/validate', '[1]')).status).toBe(400);
    // The event intake too: a write key must not be able to make a contact whose state cannot be written.
    const key = basic(server.config.data.writeKey);
    const track = await server.app.request('/v1/track', {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json' },
      body: `{"userId":"u1","event":"A","properties":{"x":${nested(50_000)}}}`,
    });
    expect(track.status).toBe(400);
    const batch = await server.app.request('/v1/batch', {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json' },
      body: 'null',
    });
    expect(batch.status).toBe(400);
    expect(
      (await server.ingest('track', { userId: 'u1', event: 'A', properties: { a: { b: { c: 1 } } } })).status,
    ).toBe(200);
  });
});

describe('inbound webhooks', () => {
  const signed = (secret: string, id: string, body: string) => {
    const timestamp = Math.floor(Date.now() / 1000);
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
      'content-type': 'application/json',
    };
  };

  it('applies exactly one of two identical signed requests that arrive together; the other is replayed', async () => {
    const server = await start();
    const h = await pricingLead(server, 'c1');
    const body = JSON.stringify({ type: 'handoff.rejected', data: { handoff: h.id, reason: 'out of office' } });
    const headers = signed(server.config.data.inboundSecret, 'evt_twice', body);
    const post = () => server.app.request('/v1/inbound', { method: 'POST', headers, body });
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await json<ErrorBody>(answers.find((r) => r.status === 409)!)).error.code).toBe('replayed');
    // Rejected once: one rep in rejectedBy, not the first assignee and then whoever it was routed to next.
    expect((await server.store.load('c1'))!.handoffs[0]!.rejectedBy).toHaveLength(1);
    // And once more later: still replayed.
    expect((await post()).status).toBe(409);
  });

  it('uses up a refused message too: replayed once the handoff has moved to where it would apply, it is still refused', async () => {
    const server = await start();
    const h = await pricingLead(server, 'c1');
    expect(h.assignee).toBe('ana');
    const body = JSON.stringify({ type: 'handoff.rejected', data: { handoff: h.id, rep: 'bo' } });
    const headers = signed(server.config.data.inboundSecret, 'evt_bo', body);
    const post = () => server.app.request('/v1/inbound', { method: 'POST', headers, body });
    expect((await post()).status).toBe(403); // not_assignee: bo does not hold it
    await server.call(server.adminToken, 'POST', `/api/handoffs/${h.id}/reassign`, { rep: 'bo' });
    const replay = await post();
    expect(replay.status).toBe(409);
    expect((await json<ErrorBody>(replay)).error.code).toBe('replayed');
    expect((await server.store.load('c1'))!.handoffs[0]).toMatchObject({ assignee: 'bo', rejectedBy: [] });
  });

  it('refuses an unknown field in a webhook payload, naming it', async () => {
    const server = await start();
    const h = await pricingLead(server, 'c1');
    await server.runtime.accept({ userId: 'c1', journey: 'pricing-intent', node: 'handoff' });
    const body = JSON.stringify({
      type: 'handoff.outcome',
      data: { handoff: h.id, outcome: 'meeting_booked', vaule: 5000 },
    });
    const res = await server.app.request('/v1/inbound', {
      method: 'POST',
      headers: signed(server.config.data.inboundSecret, 'evt_typo', body),
      body,
    });
    expect(res.status).toBe(400);
    expect((await json<ErrorBody>(res)).error.errors?.[0]?.path).toBe('$.data.vaule');
    expect((await server.store.load('c1'))!.handoffs[0]!.status).toBe('open');
  });
});

/** nosniff, a frame ban and the content security policy, each once (not set by the route and again after it). */
function expectSecureHeaders(res: Response, name: string) {
  expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), name).toBe('DENY');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, name).toContain("default-src 'self'");
  expect(csp, name).toContain("script-src 'self';");
  expect(csp, name).toContain("style-src 'self' 'unsafe-inline'");
  expect(csp, name).toContain("frame-ancestors 'none'");
  expect(csp, name).toContain("object-src 'none'");
  expect(csp.split('default-src').length, name).toBe(2);
}

describe('security headers', () => {
  it('sends nosniff, a frame ban and a content security policy on the designer, the API, the intake and errors', async () => {
    const server = await start();
    const responses = {
      designer: await server.app.request('/'),
      inbox: await server.app.request('/inbox'),
      api: await server.call(server.adminToken, 'GET', '/api/me'),
      unauthorized: await server.call(null, 'GET', '/api/me'),
      notFound: await server.app.request('/nowhere'),
      track: await server.ingest('track', { userId: 'u1', event: 'A' }),
    };
    expect(responses.designer.status).toBe(200);
    for (const [name, res] of Object.entries(responses)) expectSecureHeaders(res, name);
  });
});

describe('security headers over HTTP', () => {
  it('are on every answer baton serve writes: pages, the API, the intake, errors, refusals and live streams', async () => {
    const baton = await listenBaton({ corsOrigins: ['https://shop.example'] });
    try {
      const { base, writeKey, server } = baton;
      const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
      const admin = { authorization: `Bearer ${server.config.data.adminToken}` };
      const track = (body: string, headers: Record<string, string> = {}) =>
        fetch(`${base}/v1/track`, {
          method: 'POST',
          headers: { authorization: basic(writeKey), 'content-type': 'application/json', ...headers },
          body,
        });
      const controller = new AbortController();
      const responses = {
        page: await get('/'),
        api: await get('/api/me', admin),
        unauthorized: await get('/api/me'),
        notFound: await get('/nowhere'),
        track: await track(JSON.stringify({ userId: 'u1', event: 'A' }), { origin: 'https://shop.example' }),
        refused: await track('{"userId": 1', { 'x-request-id': 'req-42' }),
        tooLarge: await track(JSON.stringify({ userId: 'u1', event: 'A', properties: { x: 'y'.repeat(40_000) } })),
        stream: await fetch(`${base}/api/stream`, { headers: admin, signal: controller.signal }),
      };
      controller.abort();
      expect(responses.track.status).toBe(200);
      expect(responses.refused.status).toBe(400);
      expect(responses.tooLarge.status).toBe(413);
      expect(responses.stream.headers.get('content-type')).toContain('text/event-stream');
      for (const [name, res] of Object.entries(responses)) {
        expectSecureHeaders(res, name);
        expect(res.headers.get('x-request-id'), name).toMatch(/^[\w.:@/+=-]+$/);
      }
      expect(responses.refused.headers.get('x-request-id')).toBe('req-42');
      expect(responses.track.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect(responses.track.headers.get('vary')).toBe('Origin');
      expect(responses.refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(responses.track.headers.get('content-type')).toContain('application/json');
    } finally {
      await baton.stop();
    }
  });
});
