import { mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsOf, recordedEvents } from '@baton/engine/internal';
import { FileEventLog, PgEventLog, type EventLog } from '../src/stores/eventLog.ts';
import { PostgresStore } from '../src/stores/postgres/postgresStore.ts';
import { testServer } from './harness.ts';
import { dropSchemas, freshSchema, PG_URL } from './postgres/pg.ts';

afterAll(dropSchemas);

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-23T09:00:00Z');

describe('accepted events kept for backtests (SPEC §10)', () => {
  it('exports the events applied in a period as Segment calls, one a line, kept across a restart; a duplicate is kept once', async () => {
    let now = T0;
    const server = await testServer({ clock: { now: () => now } });
    const basic = `Basic ${Buffer.from(`${server.config.data.writeKey}:`).toString('base64')}`;
    const post = (path: string, body: unknown) =>
      server.app.request(path, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await server.ingest('identify', {
      userId: 'jane',
      traits: { employees: 900, title: 'VP Sales', region: 'EMEA' },
      messageId: 'm1',
    });
    await server.ingest('identify', { userId: 'jane', traits: { employees: 900 }, messageId: 'm1' }); // a duplicate
    now += DAY;
    await post('/v1/page', { userId: 'jane', name: 'Pricing', properties: { path: '/pricing' } });
    await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'bob', event: 'Signed Up', timestamp: '2026-11-24T08:00:00Z' },
        { type: 'group', userId: 'bob', groupId: 'g' },
      ],
    });
    const marketer = await server.token('marketer');
    const res = await server.call(marketer, 'GET', '/api/events?from=2026-11-23T00:00:00Z&to=2026-11-25T00:00:00Z');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.type, l.userId, l.event ?? null, l.timestamp])).toEqual([
      ['identify', 'jane', null, '2026-11-23T09:00:00.000Z'],
      ['track', 'bob', 'Signed Up', '2026-11-24T08:00:00Z'],
      ['track', 'jane', 'Page Viewed', '2026-11-24T09:00:00.000Z'],
      // A group call makes its contact and links ids (SPEC §7): kept, so a backtest does the same.
      ['group', 'bob', null, '2026-11-24T09:00:00.000Z'],
    ]);
    expect(lines[2]!.properties).toEqual({ path: '/pricing', name: 'Pricing' });
    // What the backtest replays, as exported.
    expect(recordedEvents(lines)).toHaveLength(4);
    const only = await server.call(marketer, 'GET', '/api/events?from=2026-11-24T08:30:00Z');
    expect((await only.text()).trimEnd().split('\n')).toHaveLength(2);
    expect((await server.call(marketer, 'GET', '/api/events?to=soon')).status).toBe(400);
    await server.close();

    const again = await testServer({ data: server.data, clock: { now: () => now } });
    expect(
      (await (await again.call(again.adminToken, 'GET', '/api/events')).text()).trimEnd().split('\n'),
    ).toHaveLength(4);
    await again.close();
  });

  const forgets = async (log: EventLog) => {
    const at = (ms: number, event: string) => ({
      at: ms,
      call: { type: 'track', userId: 'u', event, timestamp: new Date(ms).toISOString() },
    });
    await log.append([at(T0 - 40 * DAY, 'old'), at(T0 - 2 * DAY, 'recent'), at(T0, 'now')]);
    await log.forget(T0 - 30 * DAY);
    expect((await log.read(null, null)).map((r) => r.call.event)).toEqual(['recent', 'now']);
    expect((await log.read(T0 - DAY, null)).map((r) => r.call.event)).toEqual(['now']);
    expect((await log.read(null, T0)).map((r) => r.call.event)).toEqual(['recent']);
  };

  it('keeps no call already older than the retention, and exports nothing older, before the hourly forgetting runs', async () => {
    let now = T0 + 40 * DAY;
    const server = await testServer({ clock: { now: () => now } });
    const stamped = (event: string, at: number) => ({ userId: 'old', event, timestamp: new Date(at).toISOString() });
    await server.ingest('track', stamped('Forty Days Ago', T0)); // applied (it counts as history), not kept
    await server.ingest('track', stamped('Four Weeks Ago', now - 29 * DAY));
    await server.ingest('track', stamped('Yesterday', now - DAY));
    const marketer = await server.token('marketer');
    const exported = async () =>
      (await (await server.call(marketer, 'GET', '/api/events')).text())
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { event: string }).event);
    expect(await exported()).toEqual(['Four Weeks Ago', 'Yesterday']);
    now += 2 * DAY; // "Four Weeks Ago" ages out; the hourly forgetting has not run yet
    expect(await exported()).toEqual(['Yesterday']);
    expect(eventsOf((await server.store.load('old'))!.contact).map((e) => e.name)).toEqual([
      'Forty Days Ago',
      'Four Weeks Ago',
      'Yesterday',
    ]);
    await server.close();
  });

  it('forgets, in files, the days older than the retention', () =>
    forgets(new FileEventLog(mkdtempSync(join(tmpdir(), 'baton-events-')))));

  it('appends in files to the newest day kept open, late events to their own day, and holds nothing open once closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-events-'));
    const at = (ms: number, event: string) => ({
      at: ms,
      call: { type: 'track', userId: 'u', event, timestamp: new Date(ms).toISOString() },
    });
    const openFiles = () =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.startsWith(dir) ? [target] : [];
        } catch {
          return []; // closed while listed
        }
      });
    const log = new FileEventLog(dir);
    await log.append([at(T0, 'a')]);
    await log.append([at(T0 + DAY, 'b')]); // a new day: its file is the one kept open
    await log.append([at(T0 + 1000, 'late'), at(T0 + DAY + 1000, 'c')]);
    expect(openFiles()).toEqual([join(dir, 'events', '2026-11-24.ndjson')]);
    // Forgetting the open day closes it; the next event opens its day again.
    await log.forget(T0 + 2 * DAY);
    expect(openFiles()).toEqual([]);
    await log.append([at(T0 + 2 * DAY, 'd')]);
    await log.close();
    expect(openFiles()).toEqual([]);
    const again = new FileEventLog(dir);
    expect((await again.read(null, null)).map((r) => r.call.event)).toEqual(['d']);
    await log.append([at(T0 + 2 * DAY + 1, 'e')]); // after close, a write opens the file again
    await log.close();
    expect((await again.read(null, null)).map((r) => r.call.event)).toEqual(['d', 'e']);
    expect(readdirSync(join(dir, 'events'))).toEqual(['2026-11-25.ndjson']);
  });

  it('forgets, in PostgreSQL, the events older than the retention', async () => {
    const store = await PostgresStore.open({ url: PG_URL, schema: freshSchema(), poolSize: 2 });
    try {
      await forgets(new PgEventLog(store.pool));
    } finally {
      await store.close();
    }
  });
});
