import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, flushLogs } from '../src/ops/logger.ts';
import { json, pricingLead, testServer } from './harness.ts';

type Server = Awaited<ReturnType<typeof testServer>>;

/** A logger writing into memory: the lines a test run logged. */
function memoryLog() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return {
    log: createLogger({ destination: sink }),
    lines,
    parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The value of one sample in Prometheus's text format (labels as written, in order), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function open(options: Parameters<typeof testServer>[0] = {}): Promise<Server> {
  const s = await testServer(options);
  servers.push(s);
  return s;
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const scrape = async (s: Server) => (await s.call(s.adminToken, 'GET', '/metrics')).text();

describe('health', () => {
  it('answers /healthz and /readyz without a token, with one status word and nothing else', async () => {
    const s = await open();
    const alive = await s.app.request('/healthz');
    expect(alive.status).toBe(200);
    expect(await alive.json()).toEqual({ status: 'ok' });
    const ready = await s.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('is not ready while draining (503), and still alive', async () => {
    const s = await open();
    s.drain();
    const ready = await s.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    expect((await s.app.request('/healthz')).status).toBe(200);
  });
});

describe('request ids and logs', () => {
  it('returns a request id, keeps a valid incoming one and replaces an invalid one', async () => {
    const s = await open();
    const fresh = (await s.app.request('/healthz')).headers.get('x-request-id');
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (await s.app.request('/healthz', { headers: { 'x-request-id': 'lb-7f3a.42' } })).headers.get('x-request-id'),
    ).toBe('lb-7f3a.42');
    for (const bad of ['has space', 'x'.repeat(129), 'quote"d']) {
      const id = (await s.app.request('/healthz', { headers: { 'x-request-id': bad } })).headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('logs one JSON line per request with its id, and never a token, a write key, a secret or a body', async () => {
    const { log, lines, parsed } = memoryLog();
    const s = await open({ ops: { log } });
    const rep = await s.token('rep', 'ana');
    const { writeKey, inboundSecret } = s.config.data;
    const lead = await pricingLead(s, 'log-lead', { note: 'body-marker-123' });
    await s.app.request('/v1/track', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({
        writeKey,
        userId: 'log-lead',
        event: 'Feature Used',
        properties: { note: 'body-marker-123' },
      }),
    });
    await s.app.request('/v1/track', {
      method: 'POST',
      headers: { authorization: basic('wk_wrong'), 'content-type': 'application/json' },
      body: '{}',
    });
    await s.call(rep, 'GET', `/api/handoffs/${lead.id}`);
    await s.call('bt_not_a_token', 'GET', '/api/me');
    const stream = await s.app.request(`/api/stream?access_token=${encodeURIComponent(rep)}`);
    await stream.body?.cancel();
    const res = await s.app.request('/api/me', {
      headers: { authorization: `Bearer ${s.adminToken}`, 'x-request-id': 'trace-me-1' },
    });
    expect(res.status).toBe(200);
    await log.flush();

    const entries = parsed().filter((e) => e.msg === 'request');
    // the rep's token issued, identify + track of the lead, two tracks, the handoff, /api/me twice, the stream.
    expect(entries).toHaveLength(9);
    expect(entries.at(-1)).toMatchObject({
      reqId: 'trace-me-1',
      method: 'GET',
      path: '/api/me',
      status: 200,
      level: 'info',
    });
    expect(entries.find((e) => e.path === '/api/stream')).toMatchObject({ status: 200, route: '/api/stream' });
    const all = lines.join('\n');
    for (const secret of [s.adminToken, rep, writeKey, inboundSecret, 'body-marker-123', 'access_token'])
      expect(all).not.toContain(secret);
  });

  it('logs a failure with its error and stack, under the id the answer carries', async () => {
    const { log, parsed } = memoryLog();
    const s = await open({ ops: { log } });
    const { createApp } = await import('../src/index.ts');
    const broken = Object.create(s.store, { handoffs: { value: () => Promise.reject(new Error('disk on fire')) } });
    const res = await createApp({ ...s.deps, store: broken }).request('/api/handoffs', {
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(res.status).toBe(500);
    await log.flush();
    const line = parsed().find((e) => e.reqId === res.headers.get('x-request-id'));
    expect(line).toMatchObject({
      level: 'error',
      msg: 'request failed',
      status: 500,
      path: '/api/handoffs',
      err: { message: 'disk on fire' },
    });
    expect((line!.err as { stack: string }).stack).toContain('Error: disk on fire');
  });

  it('logs a refusal Baton chose (a 503 with its code) as a warning, without a stack', async () => {
    const { log, parsed } = memoryLog();
    const s = await open({ ops: { log } });
    const { createApp } = await import('../src/index.ts');
    const { BatonError } = await import('@baton/engine');
    const down = new BatonError('store_unavailable', 'the database is out of reach');
    const broken = Object.create(s.store, { handoffs: { value: () => Promise.reject(down) } });
    const res = await createApp({ ...s.deps, store: broken }).request('/api/handoffs', {
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(res.status).toBe(503);
    await log.flush();
    const line = parsed().find((e) => e.reqId === res.headers.get('x-request-id'));
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'request refused',
      status: 503,
      code: 'store_unavailable',
      message: 'the database is out of reach',
    });
    expect(line).not.toHaveProperty('err');
  });

  it('buffers lines to a descriptor and writes them within a second when few come, and at once on flush', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-log-')), 'log');
    const fd = openSync(file, 'a');
    try {
      const log = createLogger({ destination: fd });
      log.info({ n: 1 }, 'quiet');
      await new Promise((done) => setTimeout(done, 50));
      expect(readFileSync(file, 'utf8')).toBe(''); // held for the next 4 KB or the next second
      const started = Date.now();
      while (readFileSync(file, 'utf8') === '' && Date.now() - started < 5000)
        await new Promise((done) => setTimeout(done, 50));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ msg: 'quiet', n: 1 });
      log.info({ n: 2 }, 'before exit');
      await flushLogs(log);
      expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(2);
    } finally {
      closeSync(fd);
    }
  });
});

describe('metrics', () => {
  it('are for an admin token by default, or for anyone when open', async () => {
    const s = await open();
    expect((await s.app.request('/metrics')).status).toBe(401);
    expect((await s.call(await s.token('marketer'), 'GET', '/metrics')).status).toBe(403);
    const ok = await s.call(s.adminToken, 'GET', '/metrics');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    const openly = await open({ ops: { metricsAccess: 'open' } });
    expect((await openly.app.request('/metrics')).status).toBe(200);
  });

  it('count intake calls refused by a failing store, a bug, a size limit or an unknown path, by their code', async () => {
    const s = await open();
    const { createApp } = await import('../src/index.ts');
    const { BatonError } = await import('@baton/engine');
    let fail: Error = new BatonError('store_failed', 'the data directory could not be written');
    const runtime = Object.create(s.runtime, { ingestEvent: { value: () => Promise.reject(fail) } });
    const app = createApp({ ...s.deps, runtime });
    const post = (path: string, body: string) =>
      app.request(path, {
        method: 'POST',
        headers: { authorization: basic(s.config.data.writeKey), 'content-type': 'application/json' },
        body,
      });
    const track = JSON.stringify({ userId: 'r1', event: 'Feature Used' });
    expect((await post('/v1/track', track)).status).toBe(503);
    fail = new Error('a bug');
    expect((await post('/v1/track', track)).status).toBe(500);
    expect(
      (await post('/v1/track', JSON.stringify({ userId: 'r1', event: 'X', properties: { big: 'x'.repeat(40_000) } })))
        .status,
    ).toBe(413);
    expect((await post('/v1/nowhere', track)).status).toBe(404);
    const text = await scrape(s);
    expect(sample(text, 'baton_events_refused_total', 'reason="store_failed"')).toBe(1);
    expect(sample(text, 'baton_events_refused_total', 'reason="internal"')).toBe(1);
    expect(sample(text, 'baton_events_refused_total', 'reason="too_large"')).toBe(1);
    expect(sample(text, 'baton_events_refused_total', 'reason="not_found"')).toBe(1);
    expect(sample(text, 'baton_events_accepted_total', 'status="applied"')).toBeUndefined();
  });

  it('count events accepted and refused, time steps and commits, and count open handoffs per queue', async () => {
    const s = await open();
    const lead = await pricingLead(s, 'metric-lead');
    await s.ingest('track', { userId: 'metric-lead', messageId: 'm-dup', event: 'Feature Used' });
    await s.ingest('track', { userId: 'metric-lead', messageId: 'm-dup', event: 'Feature Used' });
    await s.ingest('track', { event: 'No One' }); // neither userId nor anonymousId
    await s.app.request('/v1/track', { method: 'POST', headers: { authorization: basic('wk_wrong') }, body: '{}' });
    await s.app.request('/v1/batch', {
      method: 'POST',
      headers: { authorization: basic(s.config.data.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          { type: 'track', userId: 'b1', event: 'X' },
          { type: 'group', anonymousId: 'anon-b1', groupId: 'g' }, // an anonymous visitor's group call: skipped
          { type: 'track', event: 'no id' },
        ],
      }),
    });
    const text = await scrape(s);
    expect(sample(text, 'baton_events_accepted_total', 'status="applied"')).toBe(4);
    expect(sample(text, 'baton_events_accepted_total', 'status="duplicate"')).toBe(1);
    expect(sample(text, 'baton_events_accepted_total', 'status="skipped"')).toBe(1);
    expect(sample(text, 'baton_events_refused_total', 'reason="input_invalid"')).toBe(2);
    expect(sample(text, 'baton_events_refused_total', 'reason="unauthorized"')).toBe(1);
    expect(sample(text, 'baton_step_duration_seconds_count', 'input="track"')).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'baton_step_duration_seconds_count', 'input="identify"')).toBe(1);
    expect(sample(text, 'baton_store_commit_duration_seconds_count', 'result="ok"')).toBe(4);
    const open_ = await s.store.openHandoffs();
    expect(open_.length).toBeGreaterThan(0);
    expect(
      sample(
        text,
        'baton_handoffs_open',
        `queue="${lead.queue ?? ''}",assigned="${lead.assignee === null ? 'no' : 'yes'}"`,
      ),
    ).toBe(open_.filter((h) => h.queue === lead.queue && (h.assignee === null) === (lead.assignee === null)).length);
    expect(
      sample(text, 'baton_http_request_duration_seconds_count', 'method="POST",route="/v1/track",status="200"'),
    ).toBeGreaterThanOrEqual(3);
  });

  it('count timers fired with how late, SLA breaches, and the overdue timer gauge', async () => {
    let now = Date.parse('2026-03-02T09:00:00Z');
    const s = await open({ clock: { now: () => now } });
    await pricingLead(s, 'sla-lead');
    now += 3 * 86_400_000; // past the 4 h first-touch SLA, whatever the calendar
    const overdue = sample(await scrape(s), 'baton_timers_overdue_seconds');
    expect(overdue).toBeGreaterThan(3600);
    await s.settle();
    const text = await scrape(s);
    expect(sample(text, 'baton_timers_fired_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'baton_timer_lateness_seconds_count')).toBe(sample(text, 'baton_timers_fired_total'));
    expect(sample(text, 'baton_timer_lateness_seconds_bucket', 'le="3600"')).toBeLessThan(
      sample(text, 'baton_timer_lateness_seconds_count')!,
    );
    expect(sample(text, 'baton_sla_breaches_total', 'journey="pricing-intent"')).toBe(1);
    expect(sample(text, 'baton_timers_overdue_seconds')).toBe(0);
  });

  it('show live streams open, and the outbox backlog and delivery failures', async () => {
    const s = await open({ deliveries: { baseMs: 60_000, timeoutMs: 2_000 } });
    await s.call(s.adminToken, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/nobody-listens' });
    await pricingLead(s, 'hook-lead');
    const stream = await s.app.request(`/api/stream?access_token=${encodeURIComponent(s.adminToken)}`);
    const reader = stream.body!.getReader();
    await reader.read(); // the ready event: the stream is listening
    await s.settle();
    const text = await scrape(s);
    expect(sample(text, 'baton_live_streams_open')).toBe(1);
    expect(sample(text, 'baton_webhook_lease_held')).toBe(1);
    expect(sample(text, 'baton_outbox_backlog')).toBe(s.deliveries.pending().length);
    expect(s.deliveries.pending().length).toBeGreaterThan(0);
    expect(sample(text, 'baton_webhook_delivery_failures_total')).toBe(
      s.deliveries.pending().filter((d) => d.attempts > 0).length,
    );
    expect(sample(text, 'baton_webhook_delivery_failures_total')).toBeGreaterThan(0);
    await reader.cancel();
    expect(sample(await scrape(s), 'baton_live_streams_open')).toBe(0);
  });
});

describe('the OpenAPI document', () => {
  it('lists /healthz, /readyz and /metrics', async () => {
    const s = await open();
    const doc = await json<{ paths: Record<string, unknown> }>(s.app.request('/api/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
  });
});
