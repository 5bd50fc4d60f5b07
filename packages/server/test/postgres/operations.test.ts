import { createServer } from 'node:http';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openServer } from '../../src/host/openServer.ts';
import { LIVE_CHANNEL, PgLiveBus } from '../../src/host/storage.ts';
import type { LiveMessage } from '../../src/live/liveFeed.ts';
import { PostgresStore } from '../../src/stores/postgres/postgresStore.ts';
import { killAllBatons, startBaton, within } from '../batonProcess.ts';
import { contactOf, expectCleanLogs, keepSending, openStream, send, until } from '../shutdown.ts';
import { dropSchemas, freshSchema, PG_URL } from './pg.ts';
import { freshDatabase } from './processes.ts';

const dropping: (() => Promise<void>)[] = [];
afterAll(async () => {
  await killAllBatons();
  await dropSchemas();
  for (const drop of dropping) await drop();
});

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** A sample of a Prometheus scrape, or undefined. */
async function metric(url: string, token: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** A port free now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as { port: number };
  await new Promise((done) => s.close(done));
  return port;
}

describe('operating Baton on PostgreSQL', () => {
  it('is alive and not ready while it starts (its migrations wait for the lock), then ready', async () => {
    const db = await freshDatabase();
    dropping.push(db.drop);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [0x62746e]); // the migration lock (stores/postgres/migrations.ts)
    const port = await freePort();
    const starting = startBaton(db.url, {}, 60_000, ['--port', String(port)]);
    const url = `http://127.0.0.1:${port}`;
    await until(
      20_000,
      '/healthz answering while the storage opens',
      async () => (await fetch(`${url}/healthz`)).status === 200,
    );
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'starting' });
    const api = await fetch(`${url}/api/me`);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('1');
    await holder.query('SELECT pg_advisory_unlock($1)', [0x62746e]);
    await holder.end();
    const b = await starting;
    expect(b.url).toBe(url);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await b.stop()).toBe(0);
  });

  it('is not ready while the schema is behind the migrations this Baton needs', async () => {
    const schema = freshSchema();
    const server = await openServer({ database: PG_URL, schema, tickMs: 60_000 });
    try {
      expect((await server.app.request('/readyz')).status).toBe(200);
      const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await c.connect();
      const { rows } = await c.query<{ version: number }>(
        'DELETE FROM baton_migrations WHERE version = (SELECT max(version) FROM baton_migrations) RETURNING version',
      );
      await until(5_000, '/readyz answering 503', async () => (await server.app.request('/readyz')).status === 503);
      expect(await (await server.app.request('/readyz')).json()).toEqual({ status: 'unavailable' });
      await c.query('INSERT INTO baton_migrations (version) VALUES ($1)', [rows[0]!.version]);
      await c.end();
      await until(
        5_000,
        '/readyz answering 200 again',
        async () => (await server.app.request('/readyz')).status === 200,
      );
    } finally {
      await server.close();
    }
  });

  it('ends its open live streams when the connection that hears other processes drops and comes back', async () => {
    const db = await freshDatabase();
    dropping.push(db.drop);
    const b = await startBaton(db.url);
    const stream = await openStream(b);
    // Another process's messages sent while the LISTEN connection was down were never heard: the stream
    // must not go on as if it had them all (SPEC §9), so it ends and the client reads afresh.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const { rowCount } = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'",
    );
    await admin.end();
    expect(rowCount).toBe(1);
    expect(await within(10_000, 'the stream ending after the LISTEN connection dropped', stream.ended)).toBe('ended');
    await openStream(b); // and a new one opens (it says `ready`), for the client to read afresh
    await b.stop();
  }, 60_000);

  it('fires its timers again once the database is back after an outage (not ready meanwhile): a failed tick never stops the scheduler', async () => {
    const db = await freshDatabase();
    dropping.push(db.drop);
    const name = new URL(db.url).pathname.slice(1);
    let now = Date.parse('2026-03-02T09:00:00Z');
    const server = await openServer({ database: db.url, tickMs: 60_000, clock: { now: () => now } });
    for (let i = 0; i < 5; i++) {
      const res = await server.app.request('/v1/track', {
        method: 'POST',
        headers: { authorization: basic(server.config.data.writeKey), 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `o${i}`, event: 'Signed Up' }), // adoption-stall: a 3-day wait
      });
      expect(res.status).toBe(200);
    }
    now += 4 * 86_400_000; // the five waits are due
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      // The database goes away: no new connection, and the open ones cut.
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      for (let i = 0; i < 3; i++) await expect(server.settle()).rejects.toThrow();
      await new Promise((done) => setTimeout(done, 1_100)); // past the readiness answer's cache
      const down = await server.app.request('/readyz');
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable' });
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
    }
    // Back: the next tick fires every wait that fell due, and the process is ready again.
    await server.settle();
    const due = await server.store.nextDueAt();
    expect(due === null || due > now).toBe(true);
    await new Promise((done) => setTimeout(done, 1_100));
    expect((await server.app.request('/readyz')).status).toBe(200);
    await server.close();
  }, 60_000);

  it('delivers each webhook once when dead letters are replayed through a process that does not deliver, and after the lease moves', async () => {
    const schema = freshSchema();
    let now = Date.parse('2026-03-02T10:00:00Z'); // a Monday, in working hours
    const clock = { now: () => now };
    let failing = true;
    const accepted: string[] = [];
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (failing) return res.writeHead(500).end();
        accepted.push(String(req.headers['webhook-id']));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const options = {
      database: PG_URL,
      schema,
      tickMs: 3_600_000,
      clock,
      deliveries: { baseMs: 1_000, random: () => 0.5, maxAttempts: 2 },
    };
    const a = await openServer(options);
    const b = await openServer(options); // every attempt of `a` fails; `b` holds a copy that will go stale
    let aOpen = true;
    try {
      const admin = a.config.data.adminToken;
      const api = (s: typeof a, path: string, body?: unknown) =>
        s.app.request(path, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const lead = async (id: string) => {
        for (const [type, body] of [
          ['identify', { userId: id, traits: { company: 'Co', employees: 900, title: 'VP Sales', region: 'EMEA' } }],
          ['track', { userId: id, event: 'Page Viewed', properties: { path: '/pricing' } }],
        ] as const) {
          const res = await a.app.request(`/v1/${type}`, {
            method: 'POST',
            headers: { authorization: basic(a.config.data.writeKey), 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          expect(res.status).toBe(200);
        }
      };
      const port = (receiver.address() as { port: number }).port;
      const made = await api(a, '/api/webhooks', { url: `http://127.0.0.1:${port}/hooks` });
      expect(made.status).toBe(201);
      const endpoint = ((await made.json()) as { id: string }).id;
      await lead('hook-1');
      await a.settle(); // `a` takes the delivery lease; the first attempts fail
      expect(a.deliveries.pending().length).toBeGreaterThan(0);
      b.deliveries.heardWrite(); // `b` reads the state as it is now: about to go stale
      await b.deliveries.current();
      expect(b.deliveries.pending().length).toBeGreaterThan(0);
      failing = false;
      now += 60_000;
      await a.settle(); // delivered
      const first = accepted.length;
      expect(first).toBeGreaterThan(0);
      // Another lead's webhooks fail twice: dead letters, on the process that delivers.
      failing = true;
      await lead('hook-2');
      await a.settle();
      now += 60_000;
      await a.settle();
      const dead = a.deliveries.dead().length;
      expect(dead).toBeGreaterThan(0);
      failing = false;
      // The operator's replay reaches the process that does not deliver.
      const replay = await api(b, '/api/webhooks/dead-letters/replay');
      expect(await replay.json()).toEqual({ replayed: dead });
      await until(5_000, 'the delivering process taking in the replay', async () => {
        await a.settle();
        return accepted.length === first + dead;
      });
      expect(a.deliveries.dead()).toEqual([]);
      // A dead letter of an endpoint since removed, replayed through `b`: the holder buries it again, once.
      failing = true;
      await lead('hook-3');
      await a.settle();
      now += 60_000;
      await a.settle();
      const gone = a.deliveries.dead().length;
      expect(gone).toBeGreaterThan(0);
      const removed = await a.app.request(`/api/webhooks/${endpoint}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(removed.status).toBe(204);
      expect(await (await api(b, '/api/webhooks/dead-letters/replay')).json()).toEqual({ replayed: gone });
      await until(5_000, 'the delivering process taking in the second replay', async () => {
        await a.settle();
        return a.deliveries.pending().length === 0 && a.deliveries.dead().length === gone;
      });
      for (let i = 0; i < 3; i++) await a.settle();
      expect([a.deliveries.pending().length, a.deliveries.dead().length]).toEqual([0, gone]);
      expect(accepted).toHaveLength(first + dead);
      failing = false;
      // `a` stops (a rolling deploy): `b` takes the lease over, reads the stored state and sends nothing again.
      await a.close();
      aOpen = false;
      now += 60_000;
      await b.settle();
      await b.settle();
      expect(b.deliveries.delivering).toBe(true);
      expect(accepted).toHaveLength(first + dead);
      expect(new Set(accepted).size).toBe(accepted.length);
    } finally {
      if (aOpen) await a.close();
      await b.close();
      receiver.close();
    }
  }, 60_000);

  it('assigns, at its next tick, a handoff left waiting while another process freed its rep', async () => {
    const schema = freshSchema();
    const now = Date.parse('2026-03-02T10:00:00Z'); // Monday, 11:00 in Berlin: in hours
    const server = await openServer({ database: PG_URL, schema, tickMs: 60_000, clock: { now: () => now } });
    try {
      const admin = server.config.data.adminToken;
      const capacity = await server.app.request('/api/team/reps/cy', {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ capacity: 1 }),
      });
      expect(capacity.status).toBe(200);
      const lead = async (userId: string) => {
        for (const [type, body] of [
          ['identify', { userId, traits: { company: 'Co', employees: 900, title: 'VP Sales', region: 'NA' } }],
          ['track', { userId, event: 'Page Viewed', properties: { path: '/pricing' } }],
        ] as const)
          await server.app.request(`/v1/${type}`, {
            method: 'POST',
            headers: { authorization: basic(server.config.data.writeKey), 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
      };
      await lead('first');
      await lead('second'); // cy is full: it waits
      const held = (await server.store.load('first'))!;
      expect(held.handoffs[0]).toMatchObject({ assignee: 'cy', status: 'open' });
      expect((await server.store.load('second'))!.handoffs[0]).toMatchObject({ assignee: null, status: 'open' });
      await server.settle();
      // What the race leaves (SPEC §9 audit): another process closed cy's handoff after the second lead's step
      // read the loads and before it committed; that process's own pass found nothing waiting yet.
      await server.store.commit({
        contactId: 'first',
        expectedVersion: held.version,
        state: {
          ...held,
          handoffs: held.handoffs.map((h) => ({ ...h, status: 'closed', outcome: 'not_interested', closedAt: now })),
        },
        effects: [],
      });
      expect(await server.store.repLoads()).not.toHaveProperty('cy');
      await server.settle();
      expect((await server.store.load('second'))!.handoffs[0]).toMatchObject({ assignee: 'cy', status: 'open' });
    } finally {
      await server.close();
    }
  }, 60_000);

  it("takes a rep's actions on one handoff in the order they came (accept, then the outcome, sent at once)", async () => {
    const schema = freshSchema();
    const now = Date.parse('2026-03-02T10:00:00Z'); // in hours
    const server = await openServer({ database: PG_URL, schema, tickMs: 60_000, clock: { now: () => now } });
    try {
      for (let i = 0; i < 20; i++)
        for (const [type, body] of [
          [
            'identify',
            { userId: `r${i}`, traits: { company: 'Co', employees: 900, title: 'VP Sales', region: 'EMEA' } },
          ],
          ['track', { userId: `r${i}`, event: 'Page Viewed', properties: { path: '/pricing' } }],
        ] as const)
          await server.app.request(`/v1/${type}`, {
            method: 'POST',
            headers: { authorization: basic(server.config.data.writeKey), 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
      const open = (await server.store.handoffs({ status: 'open' })).filter((h) => h.assignee !== null);
      expect(open.length).toBeGreaterThan(10);
      const results = await Promise.allSettled(
        open.flatMap((h) => [
          server.runtime.accept({ handoff: h.id, rep: h.assignee! }),
          server.runtime.logOutcome({ handoff: h.id, rep: h.assignee!, outcome: 'meeting_booked' }),
        ]),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      for (const h of open) expect((await server.store.handoff(h.id))!.outcome).toBe('meeting_booked');
    } finally {
      await server.close();
    }
  }, 60_000);

  it('tells the other processes when it could not send them live messages, so their streams read afresh', async () => {
    const db = await freshDatabase();
    dropping.push(db.drop);
    const name = new URL(db.url).pathname.slice(1);
    // The other process: its LISTEN connection stays up throughout.
    const receiver = new PgLiveBus(new pg.Pool({ connectionString: db.url }));
    const heard: string[] = [];
    receiver.subscribe((messages) => heard.push(...messages.map((m) => m.kind)));
    let gaps = 0;
    receiver.onGap(() => gaps++);
    const listen = new pg.Client({ connectionString: db.url });
    await listen.connect();
    listen.on('notification', (n) => receiver.heard(n.payload ?? ''));
    await listen.query(`LISTEN ${LIVE_CHANNEL}`);
    const senderPool = new pg.Pool({ connectionString: db.url });
    const sender = new PgLiveBus(senderPool);
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const message = (kind: string) => ({ kind }) as unknown as LiveMessage;
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`); // the sender cannot reach it
      sender.publish([message('lost')]);
      await sender.flush();
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      sender.publish([message('after')]);
      await sender.flush();
      await until(5_000, 'the other process hearing the message after the gap', async () => heard.includes('after'));
      expect(heard).toEqual(['after']);
      expect(gaps).toBe(1);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await listen.end();
      await senderPool.end();
    }
  });

  it('gives its timer claims back when it stops, so another process fires them at once', async () => {
    const schema = freshSchema();
    let now = Date.parse('2026-03-02T09:00:00Z');
    const clock = { now: () => now };
    const server = await openServer({ database: PG_URL, schema, tickMs: 60_000, clock });
    // adoption-stall (seeded with the examples): "Signed Up" starts a 3-day wait.
    for (let i = 0; i < 5; i++) {
      const res = await server.app.request('/v1/track', {
        method: 'POST',
        headers: { authorization: basic(server.config.data.writeKey), 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `u${i}`, event: 'Signed Up' }),
      });
      expect(res.status).toBe(200);
    }
    now += 4 * 86_400_000; // the five 3-day waits are due
    // The first timer fired waits until the stop has begun: the others are claimed and not fired.
    let firing!: () => void;
    const firstFired = new Promise<void>((done) => (firing = done));
    let letGo!: () => void;
    const gate = new Promise<void>((done) => (letGo = done));
    const fire = server.runtime.fire.bind(server.runtime);
    let fired = 0;
    server.runtime.fire = async (timer) => {
      if (fired++ === 0) {
        firing();
        await gate;
      }
      return fire(timer);
    };
    const ticking = server.settle();
    await within(5_000, 'the first timer firing', firstFired);
    const closing = server.close();
    letGo();
    await Promise.all([ticking, closing]);
    expect(fired).toBe(1);

    const other = await PostgresStore.open({ url: PG_URL, schema });
    try {
      // Every timer due is unclaimed (the one fired may have scheduled more), and another owner gets them all now.
      const { rows } = await other.pool.query<{ due: number; leased: number }>(
        'SELECT count(*)::int AS due, (count(*) FILTER (WHERE lease_owner IS NOT NULL))::int AS leased FROM baton_timers WHERE NOT held AND due_at <= $1',
        [now],
      );
      expect(rows[0]!.due).toBeGreaterThanOrEqual(4);
      expect(rows[0]!.leased).toBe(0);
      const claimed = await other.claimDueTimers({
        owner: 'another-process',
        dueBy: now,
        limit: 100,
        now,
        leaseUntil: now + 60_000,
      });
      expect(claimed).toHaveLength(rows[0]!.due);
    } finally {
      await other.close();
    }
  });

  it('on SIGTERM: a stream open and events in flight, exit 0 within the bound, events kept, and the webhook lease goes to the other process at once', async () => {
    const db = await freshDatabase();
    dropping.push(db.drop);
    const a = await startBaton(db.url, {}, 60_000, ['--drain-delay', '2']);
    await fetch(`${a.url}/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/nobody' }),
    });
    await until(
      10_000,
      'A holding the webhook lease',
      async () => (await metric(a.url, a.adminToken, 'baton_webhook_lease_held')) === 1,
    );
    const b = await startBaton(db.url, {}, 60_000);
    // B asks for the lease every tick and never gets it while A is up.
    await until(10_000, 'B scraped', async () => (await metric(b.url, b.adminToken, 'baton_webhook_lease_held')) === 0);

    const stream = await openStream(a);
    const traffic = keepSending(a, 6, 'pg');
    await until(20_000, 'events acknowledged before the stop', async () => traffic.acked.length >= 50);
    const signalled = Date.now();
    a.signal('SIGTERM');
    await until(
      2_000,
      '/readyz answering 503 while draining',
      async () => (await fetch(`${a.url}/readyz`)).status === 503,
    );
    expect(await within(12_000, 'A exiting', a.exited)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    await traffic.stop();
    expect(await stream.ended).toBe('ended');
    await until(
      5_000,
      'B holding the webhook lease',
      async () => (await metric(b.url, b.adminToken, 'baton_webhook_lease_held')) === 1,
    );

    const answers = await Promise.all(traffic.acked.map((id) => send(b, id, contactOf(id))));
    expect(answers.filter((x) => x !== 'duplicate')).toEqual([]);
    expectCleanLogs(a, [a.adminToken, a.writeKey]);
    await b.stop();
  });
});
