import { request } from 'node:http';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { eventsOf } from '@baton/engine/internal';
import type { LowdbStore } from '../src/index.ts';
import { json, pricingLead, testServer } from './harness.ts';
import { listenBaton } from './listen.ts';
import { holdJournalWrites } from './slowDisk.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
type Batch = { applied: number; skipped: number; rejected: { index: number; error: string }[] };

const basic = (server: Server) => `Basic ${Buffer.from(`${server.config.data.writeKey}:`).toString('base64')}`;
const post = (server: Server, path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  server.app.request(path, {
    method: 'POST',
    headers: { authorization: basic(server), 'content-type': 'application/json', ...headers },
    body,
  });
const names = async (server: Pick<Server, 'store'>, id: string) =>
  eventsOf((await server.store.load(id))!.contact).map((e) => e.name);

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
      status: 'applied',
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
    // The answer to the POST itself names the origin when it is allowed, and varies by it.
    const allowed = await post(closed, '/v1/track', JSON.stringify({ userId: 'c1', event: 'A' }), {
      origin: 'https://shop.example',
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await post(closed, '/v1/track', JSON.stringify({ userId: 'c1', event: 'B' }), {
      origin: 'https://elsewhere.example',
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // An answer made outside the route (a refused write key) carries the request id too.
    const refused = await closed.app.request('/v1/track', {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('wk_wrong:').toString('base64')}`, 'x-request-id': 'req-42' },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('req-42');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
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
      rejected: [
        {
          index: 1,
          error: expect.stringContaining(
            '$.batch[1] is 41031 bytes of JSON; an event may be at most 32768 bytes (32 KB)',
          ),
        },
      ],
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

describe('calls as Segment and RudderStack sources send them, to the letter of SPEC §7', () => {
  it('makes unknown contacts on alias and group calls, links ids on any call carrying both, even before the first anonymous call, and applies an alias once per messageId', async () => {
    const server = await testServer();
    const send = async (path: string, body: unknown) =>
      json<{ status: string }>(post(server, path, JSON.stringify(body)));
    // A group call carrying both ids links them: the visitor's page view joins the contact.
    expect((await send('/v1/page', { anonymousId: 'an-g', properties: { path: '/pricing' } })).status).toBe('applied');
    expect((await send('/v1/group', { userId: 'ug', anonymousId: 'an-g', groupId: 'acme' })).status).toBe('applied');
    expect(await names(server, 'ug')).toEqual(['Page Viewed']);
    expect((await server.store.load('an-g'))!.contact.linkedTo).toBe('ug');
    // Unknown contacts are made on first sight, by an alias and a group call too.
    expect((await send('/v1/alias', { userId: 'az-user', previousId: 'az-anon', messageId: 'al1' })).status).toBe(
      'applied',
    );
    expect(await server.store.load('az-user')).toBeDefined();
    expect((await send('/v1/group', { userId: 'g-only', groupId: 'acme' })).status).toBe('applied');
    expect(await server.store.load('g-only')).toBeDefined();
    // The same messageId twice is applied once, an alias's too.
    expect((await send('/v1/alias', { userId: 'az-user', previousId: 'az-anon', messageId: 'al1' })).status).toBe(
      'duplicate',
    );
    // A link made before the anonymousId's first call holds for its later calls, by alias or identify.
    await send('/v1/track', { anonymousId: 'az-anon', event: 'After Alias' });
    await send('/v1/identify', { userId: 'bob', anonymousId: 'an-2', traits: { plan: 'pro' } });
    await send('/v1/track', { anonymousId: 'an-2', event: 'After Link' });
    expect(await names(server, 'az-user')).toEqual(['After Alias']);
    expect(await names(server, 'bob')).toEqual(['Contact Updated', 'After Link']);
    // A group call of an anonymous visitor makes nothing; one with a malformed id is refused (SPEC §2).
    expect(await send('/v1/group', { anonymousId: 'an-3', groupId: 'acme' })).toMatchObject({ status: 'skipped' });
    expect(await server.store.load('an-3')).toBeUndefined();
    const long = await post(server, '/v1/group', JSON.stringify({ userId: 'x'.repeat(300), groupId: 'acme' }));
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('$.userId must be at most 256 characters');
    await server.close();
  });

  it("links an alias whose messageId another call used, and keeps the anonymous profile's events", async () => {
    const server = await testServer();
    const send = async (path: string, body: unknown) =>
      json<{ status: string }>(post(server, path, JSON.stringify(body)));
    expect((await send('/v1/track', { userId: 'dup-u', event: 'First', messageId: 'reused' })).status).toBe('applied');
    expect((await send('/v1/track', { anonymousId: 'dup-a', event: 'Seen Anonymously' })).status).toBe('applied');
    // A duplicate by its messageId: it applies nothing of its own, and still links without losing the events.
    expect((await send('/v1/alias', { previousId: 'dup-a', userId: 'dup-u', messageId: 'reused' })).status).toBe(
      'duplicate',
    );
    expect(await names(server, 'dup-u')).toEqual(['First', 'Seen Anonymously']);
    expect((await server.store.load('dup-a'))!.contact.linkedTo).toBe('dup-u');
    await server.close();
  });

  it("takes RudderStack's anonymous calls (an empty userId beside an anonymousId) and a null timestamp as absent", async () => {
    const received = Date.parse('2026-11-23T12:00:00Z');
    const server = await testServer({ clock: { now: () => received } });
    const send = async (path: string, body: unknown) => post(server, path, JSON.stringify(body));
    expect(await json<unknown>(send('/v1/track', { anonymousId: 'rs-anon-1', userId: '', event: 'Clicked' }))).toEqual({
      success: true,
      status: 'applied',
    });
    expect(await names(server, 'rs-anon-1')).toEqual(['Clicked']);
    expect((await server.store.load('rs-anon-1'))!.contact.anonymous).toBe(true);
    // Without an anonymousId an empty userId is still no id.
    expect((await send('/v1/track', { userId: '', event: 'Clicked' })).status).toBe(400);
    const batch = await json<Batch>(
      send('/v1/batch', {
        batch: [
          { type: 'track', userId: '', anonymousId: 'rs-anon-2', event: 'A' },
          { type: 'track', userId: '', anonymousId: 'rs-anon-3', event: 'B' },
        ],
      }),
    );
    expect(batch).toMatchObject({ applied: 2, rejected: [] });
    expect(await names(server, 'rs-anon-3')).toEqual(['B']);
    expect((await send('/v1/track', { userId: 't4', event: 'E', timestamp: null })).status).toBe(200);
    expect(eventsOf((await server.store.load('t4'))!.contact)[0]!.at).toBe(received);
    await server.close();
  });

  it('refuses only the events of a batch that are too deep, or that need a malformed batch sentAt; the others are applied', async () => {
    const server = await testServer();
    let deep: unknown = { leaf: 1 };
    for (let i = 0; i < 70; i++) deep = { deep };
    // Deeper than JSON.stringify (or anything else that recurses) can walk: written out, not stringified.
    const huge = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const events = [
      JSON.stringify({ type: 'track', userId: 'dn1', event: 'Good' }),
      JSON.stringify({ type: 'track', userId: 'dn1', event: 'Deep', properties: deep }),
      `{"type":"track","userId":"dn1","event":"Deeper","properties":{"huge":${huge}}}`,
      JSON.stringify({ type: 'track', userId: 'dn1', event: 'Skewed', originalTimestamp: '2026-11-23T09:00:00Z' }),
      JSON.stringify({ type: 'track', userId: 'dn1', event: 'Stamped', timestamp: '2026-11-23T09:00:00Z' }),
    ];
    const result = await json<Batch>(post(server, '/v1/batch', `{"sentAt":"bad","batch":[${events.join(',')}]}`));
    expect(result).toMatchObject({ applied: 2 });
    expect(result.rejected).toEqual([
      { index: 1, error: '$.batch[1] nests deeper than 64 levels' },
      { index: 2, error: '$.batch[2] nests deeper than 64 levels' },
      { index: 3, error: expect.stringContaining('$.sentAt must be an ISO 8601 instant') },
    ]);
    expect(await names(server, 'dn1')).toEqual(['Stamped', 'Good']);
    // The envelope itself is still checked as a body.
    const envelope = await post(server, '/v1/batch', JSON.stringify({ context: deep, batch: [] }));
    expect(envelope.status).toBe(400);
    expect(await envelope.text()).toContain('the body nests deeper than 64 levels');
    await server.close();
  });

  it('keeps calls for the export in UTC and without the write key a body carried; a single call is measured as it was sent', async () => {
    const server = await testServer();
    const key = server.config.data.writeKey;
    const plain = (path: string, body: Record<string, unknown>) =>
      server.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ writeKey: key, ...body }),
      });
    await plain('/v1/t', { userId: 'wk1', event: 'Zoned', timestamp: '2026-11-23T11:00:00+02:00' });
    await plain('/v1/g', { userId: 'wk1', groupId: 'acme' });
    await plain('/v1/b', { batch: [{ type: 'track', userId: 'wk1', event: 'Batched', writeKey: key }] });
    const exported = await (await server.call(server.adminToken, 'GET', '/api/events')).text();
    expect(exported).not.toContain(key);
    expect(exported).not.toContain('writeKey');
    const calls = exported
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: string; timestamp: string });
    expect(calls.find((c) => c.event === 'Zoned')!.timestamp).toBe('2026-11-23T09:00:00.000Z');
    expect(calls.every((c) => c.timestamp.endsWith('Z'))).toBe(true);
    // 32 KB of JSON as sent, with no type (the route gives it): within the limit.
    const body = { userId: 'size1', event: 'Sized', properties: { pad: '' } };
    body.properties.pad = 'x'.repeat(32 * 1024 - JSON.stringify(body).length);
    expect(JSON.stringify(body)).toHaveLength(32 * 1024);
    expect((await post(server, '/v1/track', JSON.stringify(body))).status).toBe(200);
    body.properties.pad += 'x';
    expect((await post(server, '/v1/track', JSON.stringify(body))).status).toBe(413);
    await server.close();
  });
});

describe('a batch', () => {
  it('is applied with one durable write, not one per event, each contact in batch order (anonymous views before the identify that links them)', async () => {
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
    expect(lowdb.writes - writes).toBe(1); // 400 events of 200 profiles, acknowledged after one fsync
    for (let c = 0; c < 100; c += 9)
      expect(await names(server, `b-${c}`)).toEqual(['Page Viewed', 'Contact Updated', 'First', 'Second']);
    await server.close();
  });
});

describe('a disk that refuses a write', () => {
  it('answers 503 with retry-after, so a Segment library sends the event again, and applies nothing more until restarted', async () => {
    const server = await testServer();
    const lowdb = server.store as LowdbStore;
    const journal = (lowdb as unknown as { journal: { append: (lines: string) => Promise<void> } }).journal;
    journal.append = async () => {
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    const send = (userId: string) => server.ingest('track', { userId, event: 'Signed Up' });
    // The write that failed, and every one after it: nothing applied, send again.
    for (const userId of ['first', 'second']) {
      const refused = await send(userId);
      expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
      expect(((await refused.json()) as { error: { code: string; message: string } }).error).toEqual({
        code: 'store_failed',
        message: 'the data file could not be written (no space left on device); restart Baton',
      });
    }
    expect(lowdb.failed?.message).toBe('no space left on device');
    await server.close();
  });
});

describe('bodies over HTTP, read from the Node request stream', () => {
  it('takes a chunked body with no Content-Length, and answers 413 to one that streams past 500 KB, then serves on', async () => {
    const baton = await listenBaton();
    const { port } = new URL(baton.base);
    const send = (chunks: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/track',
            headers: {
              authorization: `Basic ${Buffer.from(`${baton.writeKey}:`).toString('base64')}`,
              'content-type': 'application/json',
            },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        for (const c of chunks) req.write(c); // no Content-Length: sent chunked
        req.end();
      });
    const event = JSON.stringify({ userId: 'h1', event: 'Chunked', properties: { note: 'x'.repeat(2000) } });
    const ok = await send([event.slice(0, 100), event.slice(100)]);
    expect(ok).toEqual({ status: 200, body: JSON.stringify({ success: true, status: 'applied' }) });
    const huge = await send(Array.from({ length: 40 }, () => 'x'.repeat(16 * 1024))); // 640 KB, no length declared
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toEqual({
      error: { code: 'too_large', message: 'a request body may be at most 500 KB as sent' },
    });
    expect((await send([JSON.stringify({ userId: 'h1', event: 'After' })])).status).toBe(200);
    expect(await names(baton.server, 'h1')).toEqual(['Chunked', 'After']);
    await baton.stop();
  });
});

describe('acknowledgement', () => {
  it("is given after the event's durable write, while the contact's next events are applied without waiting for the disk", async () => {
    const server = await testServer();
    const lowdb = server.store as LowdbStore;
    const { release } = holdJournalWrites(lowdb); // a slow fsync
    const writes = lowdb.writes;
    let acked = 0;
    const sends = ['E1', 'E2', 'E3'].map((event) =>
      Promise.resolve(server.ingest('track', { userId: 'p1', event })).then((r) => {
        acked++;
        return r;
      }),
    );
    await vi.waitFor(async () => expect(await names(server, 'p1')).toEqual(['E1', 'E2', 'E3']));
    expect(acked).toBe(0); // applied, but nothing is acknowledged before it is on disk
    release();
    for (const r of await Promise.all(sends)) expect(await r.json()).toEqual({ success: true, status: 'applied' });
    expect(lowdb.writes - writes).toBeLessThanOrEqual(2); // the first write, and one for the two that waited behind it
    await server.close();
  });

  it('of a duplicate waits for the durable write of the event it repeats (a retry never outruns the original)', async () => {
    const server = await testServer();
    const { release } = holdJournalWrites(server.store); // a slow fsync
    const call = { userId: 'd1', event: 'Clicked', messageId: 'm-1' };
    const original = server.ingest('track', call);
    await vi.waitFor(async () => expect(await names(server, 'd1')).toEqual(['Clicked']));
    let retried = false;
    const retry = Promise.resolve(server.ingest('track', call)).then((r) => {
      retried = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(retried).toBe(false);
    release();
    expect(await (await original).json()).toEqual({ success: true, status: 'applied' });
    expect(await (await retry).json()).toEqual({ success: true, status: 'duplicate' });
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
