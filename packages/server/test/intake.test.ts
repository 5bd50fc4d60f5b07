import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eventsOf } from '@baton/engine/internal';
import type { LowdbStore } from '../src/index.ts';
import { json, pricingLead, testServer } from './harness.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
type Batch = { applied: number; skipped: number; rejected: { index: number; error: string }[] };

const basic = (server: Server) => `Basic ${Buffer.from(`${server.config.data.writeKey}:`).toString('base64')}`;
const post = (server: Server, path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  server.app.request(path, {
    method: 'POST',
    headers: { authorization: basic(server), 'content-type': 'application/json', ...headers },
    body,
  });
const names = async (server: Server, id: string) => eventsOf((await server.store.load(id))!.contact).map((e) => e.name);

describe('event intake as real sources send it (SPEC §7)', () => {
  it("takes analytics.js's short paths with a text/plain body carrying the write key, and no Authorization header", async () => {
    const server = await testServer();
    const send = (path: string, body: unknown) =>
      server.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ writeKey: server.config.data.writeKey, ...(body as object) }),
      });
    expect(await json<unknown>(send('/v1/i', { userId: 'js1', traits: { plan: 'pro' } }))).toEqual({
      success: true,
      status: 'applied',
    });
    expect(await json<unknown>(send('/v1/t', { userId: 'js1', event: 'Clicked' }))).toEqual({
      success: true,
      status: 'applied',
    });
    expect(await json<unknown>(send('/v1/p', { userId: 'js1', properties: { path: '/docs' } }))).toEqual({
      success: true,
      status: 'applied',
    });
    expect(await json<unknown>(send('/v1/s', { userId: 'js1', name: 'Home' }))).toEqual({
      success: true,
      status: 'applied',
    });
    expect(await json<{ status: string }>(send('/v1/g', { userId: 'js1', groupId: 'acme' }))).toMatchObject({
      status: 'skipped',
    });
    expect(
      await json<Batch>(send('/v1/b', { batch: [{ type: 'track', userId: 'js1', event: 'Batched' }] })),
    ).toMatchObject({ applied: 1, rejected: [] });
    expect(await names(server, 'js1')).toEqual([
      'Contact Updated',
      'Clicked',
      'Page Viewed',
      'Screen Viewed',
      'Batched',
    ]);
    const wrong = await server.app.request('/v1/t', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'wk_wrong', userId: 'js2', event: 'X' }),
    });
    expect(wrong.status).toBe(401);
    expect((await json<{ error: { message: string } }>(wrong)).error.message).toContain('"writeKey" in the body');
    expect(await server.store.load('js2')).toBeUndefined();
    await server.close();
  });

  it('answers CORS preflights on /v1/* from any origin by default, and only from the configured origins when given', async () => {
    const preflight = (server: Server, origin: string) =>
      server.app.request('/v1/t', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const open = await testServer();
    const any = await preflight(open, 'https://shop.example');
    expect(any.status).toBe(204);
    expect(any.headers.get('access-control-allow-origin')).toBe('*');
    expect(any.headers.get('access-control-allow-methods')).toContain('POST');
    const sent = await post(open, '/v1/track', JSON.stringify({ userId: 'c1', event: 'A' }), {
      origin: 'https://shop.example',
    });
    expect(sent.headers.get('access-control-allow-origin')).toBe('*');
    await open.close();
    const closed = await testServer({ corsOrigins: ['https://shop.example'] });
    expect((await preflight(closed, 'https://shop.example')).headers.get('access-control-allow-origin')).toBe(
      'https://shop.example',
    );
    expect(
      (await preflight(closed, 'https://elsewhere.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    await closed.close();
  });

  it('takes gzip and deflate bodies (zlib-wrapped or raw)', async () => {
    const server = await testServer();
    const body = (event: string) => JSON.stringify({ batch: [{ type: 'track', userId: 'z1', event }] });
    expect(
      await json<Batch>(post(server, '/v1/batch', gzipSync(body('Gzipped')), { 'content-encoding': 'gzip' })),
    ).toMatchObject({ applied: 1 });
    expect(
      await json<Batch>(post(server, '/v1/batch', deflateSync(body('Deflated')), { 'content-encoding': 'deflate' })),
    ).toMatchObject({ applied: 1 });
    expect(
      await json<Batch>(post(server, '/v1/batch', deflateRawSync(body('Raw')), { 'content-encoding': 'deflate' })),
    ).toMatchObject({ applied: 1 });
    expect((await post(server, '/v1/batch', body('Plain'), { 'content-encoding': 'br' })).status).toBe(415);
    expect((await post(server, '/v1/batch', 'not gzip at all', { 'content-encoding': 'gzip' })).status).toBe(400);
    expect(await names(server, 'z1')).toEqual(['Gzipped', 'Deflated', 'Raw']);
    await server.close();
  });

  it('refuses a gzip bomb and an oversized event with 413 and loses nothing else', async () => {
    const server = await testServer();
    await post(server, '/v1/track', JSON.stringify({ userId: 'b1', event: 'Before' }));
    // 64 MB of JSON whitespace squeezed into about 64 KB: inflated only up to the 500 KB limit.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"batch":['), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from(']}')]),
    );
    expect(bomb.length).toBeLessThan(500 * 1024);
    const refused = await post(server, '/v1/batch', bomb, { 'content-encoding': 'gzip' });
    expect(refused.status).toBe(413);
    expect((await json<{ error: { code: string; message: string } }>(refused)).error).toMatchObject({
      code: 'too_large',
      message: expect.stringContaining('500 KB'),
    });
    const heavy = { userId: 'b1', event: 'Heavy', properties: { blob: 'x'.repeat(40 * 1024) } };
    const alone = await post(server, '/v1/track', JSON.stringify(heavy));
    expect(alone.status).toBe(413);
    expect((await json<{ error: { message: string } }>(alone)).error.message).toContain('32 KB');
    const batch = await json<Batch>(
      post(
        server,
        '/v1/batch',
        JSON.stringify({
          batch: [
            { type: 'track', userId: 'b1', event: 'Light' },
            { type: 'track', ...heavy },
            { type: 'track', userId: 'b1', event: 'After' },
          ],
        }),
      ),
    );
    expect(batch).toMatchObject({
      applied: 2,
      rejected: [{ index: 1, error: expect.stringContaining('$.batch[1] is 40.') }],
    });
    expect(await names(server, 'b1')).toEqual(['Before', 'Light', 'After']);
    await server.close();
  });

  it("places an event by its timestamp, else by originalTimestamp corrected for the sender's clock skew, else when received", async () => {
    const received = Date.parse('2026-11-23T12:00:00Z');
    const server = await testServer({ clock: { now: () => received } });
    // The sender's clock runs 2 hours fast: it stamped the event at 13:55 and sent it at 14:00 (its time).
    const batch = {
      sentAt: '2026-11-23T14:00:00Z',
      batch: [
        { type: 'track', userId: 's1', event: 'Skewed', originalTimestamp: '2026-11-23T13:55:00Z' },
        {
          type: 'track',
          userId: 's1',
          event: 'Own sentAt',
          originalTimestamp: '2026-11-23T13:00:00.000Z',
          sentAt: '2026-11-23T13:30:00Z',
        },
        {
          type: 'track',
          userId: 's1',
          event: 'Stamped',
          timestamp: '2026-11-23T09:00:00Z',
          originalTimestamp: '2026-11-23T13:55:00Z',
        },
        { type: 'track', userId: 's1', event: 'Now' },
        { type: 'track', userId: 's1', event: 'Bad', originalTimestamp: 'yesterday' },
      ],
    };
    expect((await json<Batch>(post(server, '/v1/batch', JSON.stringify(batch)))).rejected).toEqual([
      { index: 4, error: expect.stringContaining('$.batch[4].originalTimestamp must be an ISO 8601 instant') },
    ]);
    const at = Object.fromEntries(
      eventsOf((await server.store.load('s1'))!.contact).map((e) => [e.name, new Date(e.at).toISOString()]),
    );
    expect(at).toEqual({
      Skewed: '2026-11-23T11:55:00.000Z',
      'Own sentAt': '2026-11-23T11:30:00.000Z',
      Stamped: '2026-11-23T09:00:00.000Z',
      Now: '2026-11-23T12:00:00.000Z',
    });
    await server.close();
  });
});

describe('a batch', () => {
  it('is applied with a few durable writes, not one per event, each contact in batch order (anonymous views before the identify that links them)', async () => {
    const server = await testServer();
    const events: unknown[] = [];
    for (let c = 0; c < 100; c++) {
      events.push({ type: 'page', anonymousId: `anon-${c}`, properties: { path: '/pricing' } });
      events.push({ type: 'identify', userId: `b-${c}`, anonymousId: `anon-${c}`, traits: { plan: 'trial' } });
      events.push({ type: 'track', userId: `b-${c}`, event: 'First' });
      events.push({ type: 'track', userId: `b-${c}`, event: 'Second' });
    }
    const lowdb = server.store as LowdbStore; // testServer runs on lowdb
    const writes = lowdb.writes;
    const answer = await json<Batch>(post(server, '/v1/batch', JSON.stringify({ batch: events })));
    expect(answer).toMatchObject({ applied: 400, rejected: [] });
    expect(lowdb.writes - writes).toBeLessThan(40); // one group commit carries many contacts' events
    for (let c = 0; c < 100; c += 9)
      expect(await names(server, `b-${c}`)).toEqual(['Page Viewed', 'Contact Updated', 'First', 'Second']);
    await server.close();
  });
});

describe('contact ids as SPEC §2 allows', () => {
  it('takes an email, a number and "a/b c?d" as contact ids through the intake, the API, the inbox and reports', async () => {
    const server = await testServer();
    const ids = ['jane@example.com', '1234', 'a/b c?d'];
    await pricingLead(server, 'jane@example.com');
    await pricingLead(server, 'a/b c?d');
    // analytics-node sends a numeric userId as the number it was given: it is the contact "1234".
    await server.ingest('identify', {
      userId: 1234,
      traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
    });
    await server.ingest('track', { userId: 1234, event: 'Page Viewed', properties: { path: '/pricing' } });
    const { handoffs } = await json<{ handoffs: { contactId: string; links: { contact: string } }[] }>(
      server.call(server.adminToken, 'GET', '/api/handoffs'),
    );
    expect(handoffs.map((h) => h.contactId).sort()).toEqual([...ids].sort());
    for (const h of handoffs) {
      expect(h.links.contact).toBe(`/api/contacts/${encodeURIComponent(h.contactId)}`);
      const contact = await json<{ id: string; timeline: { name: string }[] }>(
        server.call(server.adminToken, 'GET', h.links.contact),
      );
      expect(contact.id).toBe(h.contactId);
      expect(contact.timeline.map((e) => e.name)).toContain('Page Viewed');
    }
    const report = await json<{ total: { handoffs: number } }>(
      server.call(server.adminToken, 'GET', '/api/reports?journey=pricing-intent'),
    );
    expect(report.total.handoffs).toBe(3);
    expect((await server.call(server.adminToken, 'GET', '/api/reports?format=csv')).status).toBe(200);
    expect((await server.ingest('track', { userId: 'x'.repeat(256), event: 'Long' })).status).toBe(200);
    const tooLong = await server.ingest('track', { userId: 'x'.repeat(257), event: 'Long' });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('$.userId must be at most 256 characters');
    await server.close();
  });
});
