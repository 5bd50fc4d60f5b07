import { serve } from '@hono/node-server';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf } from '@baton/engine/internal';
import { openServer } from '../src/index.ts';

const json = async <T>(r: Response | Promise<Response>): Promise<T> => (await (await r).json()) as T;
type Handoff = { id: string; status: string; assignee: string | null; outcome: string | null; value: number | null };
type ErrorBody = { error: { code: string; errors: { path: string }[] } };

const freshDir = () => mkdtempSync(join(tmpdir(), 'baton-serve-'));

async function listen(data: string) {
  const server = await openServer({ data, tickMs: 20 });
  const listener = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
  });
  const address = listener.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { writeKey, adminToken } = server.config.data;
  return {
    ...server,
    base,
    track: (body: unknown) =>
      fetch(`${base}/v1/track`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }),
    identify: (body: unknown) =>
      fetch(`${base}/v1/identify`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }),
    api: (path: string, init: RequestInit = {}) =>
      fetch(`${base}/api${path}`, {
        ...init,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers },
      }),
    async stop() {
      await new Promise((done) => listener.close(done));
      await server.close();
    },
  };
}

describe('baton serve, end to end over HTTP on a lowdb data directory', () => {
  it('takes a newcomer from a track event to a handoff, an outcome and a journey that moved on, across a restart', async () => {
    const data = freshDir();
    const first = await listen(data);
    expect(first.seeded).toBe(true);
    const journeys = await json<{ journeys: { id: string }[] }>(first.api('/journeys'));
    expect(journeys.journeys.map((j) => j.id)).toEqual(
      expect.arrayContaining(['pricing-intent', 'renewal-risk', 'nps-detractor']),
    );

    expect(
      (
        await first.identify({
          userId: 'c2',
          traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await first.track({ userId: 'c2', event: 'Page Viewed', properties: { path: '/pricing' }, messageId: 'm-1' }))
        .status,
    ).toBe(200);
    const dup = await json<{ status: string }>(
      first.track({ userId: 'c2', event: 'Page Viewed', properties: { path: '/pricing' }, messageId: 'm-1' }),
    );
    expect(dup.status).toBe('duplicate');
    const [handoff] = (await json<{ handoffs: Handoff[] }>(first.api('/handoffs?status=open'))).handoffs;
    if (!handoff) throw new Error('no handoff was created');
    expect(handoff).toMatchObject({ title: 'Pricing intent: Acme', assignee: 'ana', queue: 'emea-ae', record: 'lead' });

    // Restart in the middle: the handoff and the waiting journey survive.
    await first.stop();
    const second = await listen(data);
    expect(second.seeded).toBe(false);
    const again = await json<Handoff>(second.api(`/handoffs/${handoff.id}`));
    expect(again).toMatchObject({ id: handoff.id, status: 'open', assignee: 'ana' });

    expect((await second.api(`/handoffs/${handoff.id}/accept`, { method: 'POST' })).status).toBe(200);
    const refused = await second.api(`/handoffs/${handoff.id}/outcome`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'maybe' }),
    });
    expect(refused.status).toBe(422);
    expect((await json<ErrorBody>(refused)).error.code).toBe('outcome_not_declared');
    const closed = await json<Handoff>(
      second.api(`/handoffs/${handoff.id}/outcome`, {
        method: 'POST',
        body: JSON.stringify({ outcome: 'meeting_booked', value: 30000 }),
      }),
    );
    expect(closed).toMatchObject({ status: 'closed', outcome: 'meeting_booked', value: 30000 });
    const contact = await json<{ journeys: unknown[] }>(second.api('/contacts/c2'));
    expect(contact.journeys).toEqual([
      expect.objectContaining({
        journey: 'pricing-intent',
        status: 'exited',
        outcome: 'converted',
        path: ['fit', 'handoff', 'won'],
      }),
    ]);
    await second.stop();
  });

  it('fires at start the timers that fell due while it was down, each once', async () => {
    const data = freshDir();
    let now = Date.parse('2026-11-23T09:00:00Z');
    const clock = { now: () => now };
    const first = await openServer({ data, clock, tickMs: 10_000 });
    await first.runtime.ingest({
      type: 'track',
      userId: 'dev',
      event: 'Page Viewed',
      properties: { path: '/pricing' },
    });
    expect((await first.store.load('dev'))!.instances.find((i) => i.journeyId === 'pricing-intent')!.node).toBe('wait');
    await first.close();
    now += 4 * 86_400_000; // down for four days; the three-day wait fell due meanwhile
    const second = await openServer({ data, clock, tickMs: 10_000 });
    const inst = (await second.store.load('dev'))!.instances.find((i) => i.journeyId === 'pricing-intent')!;
    expect(inst).toMatchObject({
      status: 'exited',
      path: ['fit', 'nurture', 'wait', 'done'],
      exitedAt: Date.parse('2026-11-26T09:00:00Z'),
    });
    expect(await second.store.nextDueAt()).toBeNull();
    await second.close();
  });
});

describe('event intake', () => {
  it('wants the write key, a JSON body and a valid event, and says what is wrong', async () => {
    const server = await openServer({ data: freshDir(), tickMs: 10_000 });
    const key = `Basic ${Buffer.from(`${server.config.data.writeKey}:`).toString('base64')}`;
    const post = (path: string, body: string, auth = key) =>
      server.app.request(path, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body,
      });
    expect((await post('/v1/track', '{}', 'Basic d3Jvbmc6')).status).toBe(401);
    expect((await post('/v1/track', '{not json')).status).toBe(400);
    const bad = await post('/v1/track', JSON.stringify({ event: 'X' }));
    expect(bad.status).toBe(400);
    expect((await json<ErrorBody>(bad)).error.errors[0]!.path).toBe('$.userId');
    // A batch with one bad event applies the good one and names the bad one (SPEC §7).
    const batch = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', userId: 'b1', event: 'A' },
          { type: 'track', event: 'B' },
        ],
      }),
    );
    expect(batch.status).toBe(200);
    expect(await json<unknown>(batch)).toEqual({
      success: true,
      applied: 1,
      duplicates: 0,
      skipped: 0,
      rejected: [{ index: 1, error: '$.batch[1].userId is required: the contact id (or an anonymousId)' }],
    });
    expect(eventsOf((await server.store.load('b1'))!.contact).map((e) => e.name)).toEqual(['A']);
    const ok = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', userId: 'b1', event: 'A' },
          { type: 'identify', userId: 'b1', traits: { plan: 'pro' } },
        ],
      }),
    );
    expect(await json<unknown>(ok)).toEqual({ success: true, applied: 2, duplicates: 0, skipped: 0, rejected: [] });
    expect((await post('/v1/track', 'x'.repeat(600 * 1024))).status).toBe(413);
    expect((await server.app.request('/api/handoffs')).status).toBe(401);
    expect((await server.app.request('/nowhere')).status).toBe(404);
    await server.close();
  });
});

describe('Segment calls beyond track and identify', () => {
  it('takes analytics.js page views as "Page Viewed", so a pricing-page visit hands off a lead as a track would', async () => {
    const server = await openServer({ data: freshDir(), tickMs: 10_000 });
    const key = `Basic ${Buffer.from(`${server.config.data.writeKey}:`).toString('base64')}`;
    const post = (path: string, body: unknown) =>
      server.app.request(path, {
        method: 'POST',
        headers: { authorization: key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post('/v1/identify', {
      userId: 'p1',
      traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
    });
    // What analytics.page('Pricing') sends: a page call with the page's path among its properties.
    const page = await post('/v1/page', {
      userId: 'p1',
      name: 'Pricing',
      properties: { path: '/pricing', url: 'https://acme.example/pricing', title: 'Pricing' },
      messageId: 'pg-1',
    });
    expect(await json<unknown>(page)).toEqual({ success: true, status: 'applied' });
    const state = await server.store.load('p1');
    expect(eventsOf(state!.contact).find((e) => e.name === 'Page Viewed')).toMatchObject({
      properties: { name: 'Pricing', path: '/pricing', title: 'Pricing' },
    });
    expect(state!.handoffs.map((h) => h.journeyId)).toContain('pricing-intent');
    // The same messageId is still applied once, whatever endpoint it came in by.
    expect(
      await json<unknown>(post('/v1/page', { userId: 'p1', properties: { path: '/pricing' }, messageId: 'pg-1' })),
    ).toEqual({ success: true, status: 'duplicate' });
    const screen = await post('/v1/screen', { userId: 'p1', name: 'Billing', properties: {} });
    expect(await json<unknown>(screen)).toEqual({ success: true, status: 'applied' });
    expect(eventsOf((await server.store.load('p1'))!.contact).at(-1)).toMatchObject({
      name: 'Screen Viewed',
      properties: { name: 'Billing' },
    });
    await server.close();
  });

  it('keeps anonymous calls on a profile, links it with alias and group calls; refuses an unknown type or bad properties by path', async () => {
    const server = await openServer({ data: freshDir(), tickMs: 10_000 });
    const key = `Basic ${Buffer.from(`${server.config.data.writeKey}:`).toString('base64')}`;
    const post = (path: string, body: unknown) =>
      server.app.request(path, {
        method: 'POST',
        headers: { authorization: key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await json<{ status: string }>(post('/v1/track', { anonymousId: 'a-1', event: 'Signed Up' }))).toEqual({
      success: true,
      status: 'applied',
    });
    expect((await server.store.load('a-1'))!.contact.anonymous).toBe(true);
    expect(await json<{ status: string }>(post('/v1/alias', { previousId: 'a-1', userId: 'k1' }))).toMatchObject({
      status: 'applied',
    });
    // A group call is applied to its contact's identity (SPEC §7) and adds nothing to its timeline;
    // an anonymous visitor's is skipped.
    expect(await json<{ status: string }>(post('/v1/group', { userId: 'k1', groupId: 'acme' }))).toMatchObject({
      status: 'applied',
    });
    expect(await json<{ status: string }>(post('/v1/group', { anonymousId: 'a-9', groupId: 'acme' }))).toMatchObject({
      status: 'skipped',
    });
    expect(eventsOf((await server.store.load('k1'))!.contact).map((e) => e.name)).toEqual(['Signed Up']);
    // A batch as analytics.js flushes it: the linked anonymousId's page lands on k1 too.
    const batch = await post('/v1/batch', {
      batch: [
        { type: 'page', anonymousId: 'a-1', properties: { path: '/' } },
        { type: 'alias', previousId: 'a-1', userId: 'k1' },
        { type: 'identify', userId: 'k1', traits: { plan: 'trial' } },
        { type: 'page', userId: 'k1', properties: { path: '/docs' } },
      ],
    });
    expect(await json<unknown>(batch)).toEqual({ success: true, applied: 4, duplicates: 0, skipped: 0, rejected: [] });
    expect(eventsOf((await server.store.load('k1'))!.contact).map((e) => e.name)).toEqual([
      'Signed Up',
      'Page Viewed',
      'Contact Updated',
      'Page Viewed',
    ]);
    // One refusal in a batch loses nothing beside it, and says where.
    const unknown = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'k2', event: 'A' },
        { type: 'pageview', userId: 'k2' },
      ],
    });
    expect(unknown.status).toBe(200);
    expect((await json<{ rejected: { index: number; error: string }[] }>(unknown)).rejected).toEqual([
      { index: 1, error: expect.stringContaining('$.batch[1].type') },
    ]);
    expect(eventsOf((await server.store.load('k2'))!.contact).map((e) => e.name)).toEqual(['A']);
    const badProperties = await post('/v1/page', { userId: 'k3', properties: 'pricing' });
    expect(badProperties.status).toBe(400);
    expect((await json<ErrorBody>(badProperties)).error.errors[0]!.path).toBe('$.properties');
    const noIds = await post('/v1/page', { properties: {} });
    expect((await json<ErrorBody>(noIds)).error.errors[0]!.path).toBe('$.userId');
    expect(await server.store.load('k3')).toBeUndefined();
    await server.close();
  });
});

describe('errors', () => {
  it('answers an unexpected failure with a 500 that names no internals', async () => {
    const server = await openServer({ data: freshDir(), tickMs: 10_000 });
    const broken = Object.create(server.store, {
      handoffs: { value: () => Promise.reject(new Error('disk on fire at /secret/path.ts:12')) },
    });
    const { createApp } = await import('../src/index.ts');
    const app = createApp({ ...server.deps, store: broken });
    const original = console.error;
    console.error = () => undefined; // the bug is logged for operators; keep the test output clean
    try {
      const res = await app.request('/api/handoffs', {
        headers: { authorization: `Bearer ${server.config.data.adminToken}` },
      });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'internal', message: 'internal error: this is a bug in Baton, and it was logged' },
      });
      expect(text).not.toContain('secret');
    } finally {
      console.error = original;
      await server.close();
    }
  });
});
