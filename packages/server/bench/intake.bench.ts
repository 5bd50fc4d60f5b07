// `pnpm bench`: durable intake over HTTP, measured from outside as a Segment source's traffic arrives.
// Each configuration runs real `baton serve` processes (lowdb; PostgreSQL with one process; PostgreSQL
// with two), preloads BENCH_CONTACTS contacts, then autocannon posts keyed track calls for
// BENCH_SECONDS. A bare Hono route that parses the same JSON is the baseline in the same run. Every
// acknowledgement Baton gives is after a durable write (an fsync'd journal, or COMMIT).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { installPackages } from '../test/installed.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
/** Senders of batches: a Segment library sends one batch at a time, so a few sources keep a few in flight. */
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 8);
const PG_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = new URL('../../../', import.meta.url).pathname;
/**
 * `baton` as a checkout runs it (TypeScript through tsx), or with BENCH_INSTALLED=1 as the npm package
 * installs it (its build, no tsx: what a user's server runs, and what its memory is).
 */
const BIN = process.env.BENCH_INSTALLED
  ? join(installPackages().dir, 'node_modules/@baton/server/dist/cli/bin.js')
  : join(ROOT, 'packages/server/bin/baton.mjs');
/** Extra node flags for the served processes and the baseline, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PATHS = ['/docs', '/blog', '/pricing', '/features', '/docs/api'];

interface Served {
  urls: string[];
  /** The processes serving (for their resident memory). */
  pids: number[];
  /** The lowdb data directory (its journal generations count the snapshots written). */
  dir?: string;
  writeKey: string;
  /** The admin token (the first start prints it). */
  admin?: string;
  stop(): Promise<void>;
}

/** Starts `baton serve` with these arguments and waits for its banner. */
async function serve(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ url: string; writeKey: string; admin: string | undefined; child: ChildProcess }> {
  // Request logs off the terminal: one line per request is part of the cost measured, not of the report.
  const child = spawn(process.execPath, [...NODE_ARGS, BIN, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ...env },
  });
  let out = '';
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/^ {2}API:/m.test(out)) done();
    });
    child.once('exit', (code) => fail(new Error(`baton serve ${args.join(' ')} exited ${code}`)));
  });
  return {
    url: /Baton is running at (\S+)/.exec(out)![1]!,
    writeKey: /write key:\s+(\S+)/.exec(out)![1]!,
    admin: /admin token:\s+(\S+)/.exec(out)?.[1],
    child,
  };
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });

async function lowdb(env: Record<string, string> = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-intake-'));
  const s = await serve(['--data', dir], env);
  return {
    urls: [s.url],
    pids: [s.child.pid!],
    dir,
    writeKey: s.writeKey,
    ...(s.admin ? { admin: s.admin } : {}),
    stop: async () => (await stopChild(s.child), rmSync(dir, { recursive: true, force: true })),
  };
}

async function postgres(processes: number): Promise<Served> {
  const name = `baton_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const first = await serve(['--database', url.toString()]);
  const rest = await Promise.all(Array.from({ length: processes - 1 }, () => serve(['--database', url.toString()])));
  const all = [first, ...rest];
  return {
    urls: all.map((s) => s.url),
    pids: all.map((s) => s.child.pid!),
    writeKey: first.writeKey,
    ...(first.admin ? { admin: first.admin } : {}),
    async stop() {
      await Promise.all(all.map((s) => stopChild(s.child)));
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A bare Hono route on @hono/node-server that parses the body and answers: what the framework can do. */
async function bareHono(): Promise<Served> {
  const script = `
    import { Hono } from 'hono'; import { serve } from '@hono/node-server';
    const app = new Hono();
    app.post('/v1/track', async (c) => { const e = await c.req.json(); return c.json({ success: true, status: typeof e.userId === 'string' ? 'applied' : 'refused' }); });
    // Stopped with SIGTERM: exits normally, so --cpu-prof and the like write their files.
    process.on('SIGTERM', () => process.exit(0)); const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (i) => console.log('Baton is running at http://127.0.0.1:' + i.port + '\\n  write key: none\\n  API:'));`;
  const child = spawn(process.execPath, [...NODE_ARGS, '--input-type=module', '-e', script], {
    cwd: join(ROOT, 'packages/server'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((done) =>
    child.stdout!.on('data', (c: Buffer) => ((out += c.toString()), /API:/.test(out) && done())),
  );
  return {
    urls: [/Baton is running at (\S+)/.exec(out)![1]!],
    pids: [child.pid!],
    writeKey: 'none',
    stop: () => stopChild(child),
  };
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** Identifies every contact and starts its trial, 500 calls a batch, from a few senders. */
async function preload(s: Served): Promise<number> {
  const started = performance.now();
  const BATCH = 250;
  let next = 0;
  const sender = async (u: string) => {
    for (let i = next; i < CONTACTS; i = next) {
      next += BATCH;
      const batch = [];
      for (let k = i; k < Math.min(CONTACTS, i + BATCH); k++) {
        batch.push({
          type: 'identify',
          userId: `c${k}`,
          traits: {
            company: `Co ${k}`,
            employees: (k * 37) % 2000,
            region: ['EMEA', 'NA', 'APAC'][k % 3],
            plan: 'free',
          },
        });
        batch.push({ type: 'track', userId: `c${k}`, event: 'Trial Started', properties: {} });
      }
      const r = await fetch(`${u}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic(s.writeKey), 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      });
      if (r.status !== 200) throw new Error(`preload: ${r.status} ${await r.text()}`);
    }
  };
  await Promise.all(s.urls.flatMap((u) => [sender(u), sender(u)]));
  return (performance.now() - started) / 1000;
}

/** A process's resident memory in MB, from /proc (0 once it is gone). */
function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

/**
 * A process's CPU time so far in ms (user + system, from /proc; 0 once it is gone). CPU per acknowledged
 * event is steadier than events per second on a shared machine: other work slows the rate, much less the
 * CPU each event costs.
 */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return 0;
  }
}

/** The snapshots a lowdb directory has had: one journal generation each. */
const snapshotsOf = (dir: string | undefined) =>
  dir === undefined
    ? undefined
    : Math.max(0, ...readdirSync(dir).map((f) => Number(/^runtime\.journal\.(\d+)$/.exec(f)?.[1] ?? 0)));

/** One keyed event for a random contact: a page view, or a feature used. */
function trackEvent(i: number, p: number, label: string) {
  const userId = `c${(i * 7919 + p) % CONTACTS}`;
  return i % 3 === 0
    ? { userId, event: 'Feature Used', properties: { feature: 'reports' }, messageId: `${label}-${i}` }
    : { userId, event: 'Page Viewed', properties: { path: PATHS[i % PATHS.length] }, messageId: `${label}-${i}` };
}

/**
 * Keyed calls from every connection, spread over the processes, for BENCH_SECONDS: single track calls,
 * or batches of `batch` events on /v1/batch (as Segment's libraries send). What autocannon measured, in
 * events, with the peak resident memory of the serving processes while it ran.
 */
async function load(s: Served, label: string, batch = 0) {
  let n = 0;
  const per = Math.max(1, Math.floor((batch > 0 ? BATCH_CONNECTIONS : CONNECTIONS) / s.urls.length));
  let peakMb = 0;
  const sampler = setInterval(() => {
    peakMb = Math.max(
      peakMb,
      s.pids.reduce((sum, pid) => sum + rssMb(pid), 0),
    );
  }, 200);
  const snapshotsBefore = snapshotsOf(s.dir);
  const cpuBefore = s.pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const results = await Promise.all(
    s.urls.map((url, p) =>
      autocannon({
        url,
        connections: per,
        duration: SECONDS,
        requests: [
          {
            method: 'POST',
            path: batch > 0 ? '/v1/batch' : '/v1/track',
            headers: { authorization: basic(s.writeKey), 'content-type': 'application/json' },
            setupRequest: (req) => {
              if (batch === 0) return { ...req, body: JSON.stringify(trackEvent(n++, p, label)) };
              const events = [];
              for (let k = 0; k < batch; k++) events.push({ type: 'track', ...trackEvent(n++, p, label) });
              return { ...req, body: JSON.stringify({ batch: events }) };
            },
          },
        ],
      }),
    ),
  );
  clearInterval(sampler);
  const cpu = s.pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
  const ok = results.reduce((sum, r) => sum + r['2xx'], 0) * Math.max(1, batch);
  const snapshots = snapshotsOf(s.dir);
  return {
    ackedPerSecond: Math.round(ok / SECONDS),
    cpuMicrosPerEvent: ok > 0 ? Math.round((cpu * 1000) / ok) : null,
    p50ms: Math.max(...results.map((r) => r.latency.p50)),
    p99ms: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    peakRssMb: peakMb,
    ...(snapshots === undefined ? {} : { snapshotsDuringLoad: snapshots - snapshotsBefore! }),
  };
}

/** The first process's V8 heap in MB (used and total) and external memory, from its /metrics. */
async function heapMb(s: Served): Promise<{ used: number; total: number; external: number } | undefined> {
  if (!s.admin) return undefined;
  const text = await (await fetch(`${s.urls[0]}/metrics`, { headers: { authorization: `Bearer ${s.admin}` } })).text();
  const read = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20);
  return {
    used: read('nodejs_heap_size_used_bytes'),
    total: read('nodejs_heap_size_total_bytes'),
    external: read('nodejs_external_memory_bytes'),
  };
}

/** How long a report and the open-handoff list take to answer over all the contacts (the median of 3). */
async function reads(s: Served) {
  const time = async (path: string) => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const r = await fetch(`${s.urls[0]}${path}`, { headers: { authorization: `Bearer ${s.admin}` } });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      runs.push(performance.now() - started);
    }
    return Math.round(runs.sort((a, b) => a - b)[1]!);
  };
  return { reportMs: await time('/api/reports'), openHandoffsMs: await time('/api/handoffs?status=open') };
}

console.log(
  `intake over HTTP: ${CONTACTS} contacts, ${CONNECTIONS} connections for ${SECONDS} s per configuration (autocannon, keyed /v1/track; or ${BATCH_CONNECTIONS} connections posting /v1/batch of ${BATCH})`,
);
const configs: [string, () => Promise<Served>, { preloaded: boolean; batch?: number }][] = [
  ['bare Hono route (baseline)', bareHono, { preloaded: false }],
  ['lowdb, 1 process', lowdb, { preloaded: true }],
  [`lowdb, 1 process, batches of ${BATCH}`, lowdb, { preloaded: true, batch: BATCH }],
  // Snapshots while the load runs: the journal is folded into a snapshot every 4 MB (about 15k events).
  ['lowdb snapshots under load', () => lowdb({ BATON_SNAPSHOT_BYTES: String(4 * 2 ** 20) }), { preloaded: true }],
  ['PostgreSQL, 1 process', () => postgres(1), { preloaded: true }],
  ['PostgreSQL, 2 processes', () => postgres(2), { preloaded: true }],
];
// BENCH_ONLY picks configurations by a part of their label; the baseline always runs.
const only = process.env.BENCH_ONLY;
for (const [label, start, { preloaded, batch }] of configs) {
  if (only && !label.includes(only) && start !== bareHono) continue;
  const s = await start();
  try {
    const preloadSeconds = preloaded ? await preload(s) : 0;
    const idleMb = s.pids.reduce((sum, pid) => sum + rssMb(pid), 0);
    const heapAfterPreload = preloaded ? await heapMb(s) : undefined;
    const result = await load(s, randomBytes(3).toString('hex'), batch);
    console.log(`${label}:`, {
      ...(preloaded ? { preloadSeconds: +preloadSeconds.toFixed(1), rssAfterPreloadMb: idleMb } : {}),
      ...(heapAfterPreload ? { heapAfterPreloadMb: heapAfterPreload } : {}),
      ...result,
      ...(preloaded && s.admin ? { heapAfterLoadMb: await heapMb(s) } : {}),
      ...(s.admin ? await reads(s) : {}),
    });
  } finally {
    await s.stop();
  }
}
