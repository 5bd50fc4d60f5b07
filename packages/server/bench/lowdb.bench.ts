// `pnpm bench` for the server: events ingested per second into the lowdb store with 100k contacts, every
// acknowledgement durable (group commit + fsync), under an open-loop load; the memory store under the
// same load in the same run is the baseline (the engine's cost without durability).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JourneyCatalog, MemoryStore, Runtime, counterIds, type Store } from '@baton/engine/internal';
import { exampleSeed } from '../src/server/seed.ts';
import { LowdbStore } from '../src/stores/lowdbStore.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 6_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);

const seed = await exampleSeed();
let clockNow = Date.parse('2026-11-23T09:00:00Z');
const clock = { now: () => clockNow };

function runtimeOn(store: Store): Runtime {
  const catalog = new JourneyCatalog();
  for (const j of seed.journeys) catalog.publish(j, seed.team);
  return new Runtime({
    store,
    clock,
    catalog,
    team: seed.team,
    workspace: seed.workspace,
    ids: counterIds(),
    owner: 'bench',
  });
}

const PATHS = ['/docs', '/blog', '/pricing', '/features', '/docs/api'];

/** The n-th event of the sustained load: mostly page views and feature use, some identifies. */
function eventAt(n: number) {
  const userId = `c${(n * 7919) % CONTACTS}`;
  const kind = n % 10;
  if (kind === 0)
    return { type: 'identify' as const, userId, traits: { plan: n % 3 === 0 ? 'pro' : 'free' }, messageId: `m${n}` };
  if (kind < 4)
    return {
      type: 'track' as const,
      userId,
      event: 'Feature Used',
      properties: { feature: 'reports' },
      messageId: `m${n}`,
    };
  return {
    type: 'track' as const,
    userId,
    event: 'Page Viewed',
    properties: { path: PATHS[n % PATHS.length] },
    messageId: `m${n}`,
  };
}

/** 100k contacts, each identified and in a trial: the state the sustained load runs against. */
async function preload(runtime: Runtime): Promise<number> {
  const started = performance.now();
  const BATCH = 5_000;
  for (let i = 0; i < CONTACTS; i += BATCH) {
    const work: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(CONTACTS, i + BATCH); k++) {
      const region = ['EMEA', 'NA', 'APAC'][k % 3];
      work.push(
        runtime
          .ingest({
            type: 'identify',
            userId: `c${k}`,
            traits: { company: `Co ${k}`, employees: (k * 37) % 2000, region, plan: 'free' },
          })
          .then(() => runtime.ingest({ type: 'track', userId: `c${k}`, event: 'Trial Started', properties: {} })),
      );
    }
    await Promise.all(work);
  }
  return (performance.now() - started) / 1000;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/**
 * Offers RATE events/s for SECONDS, open loop: each event's latency counts from the instant it was due to
 * be sent, so a stalled process shows up as latency rather than as fewer events offered.
 */
async function sustained(runtime: Runtime) {
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let failed = 0;
  const total = RATE * SECONDS;
  const started = performance.now();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    for (; sent < due; sent++) {
      const scheduled = started + (sent / RATE) * 1000;
      const p = runtime.ingest(eventAt(sent)).then(
        () => void latencies.push(performance.now() - scheduled),
        () => void failed++,
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    clockNow += 10;
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    offered: RATE,
    acked: latencies.length,
    failed,
    eventsPerSecond: Math.round(latencies.length / elapsed),
    p50: Math.round(pct(latencies, 50)),
    p99: Math.round(pct(latencies, 99)),
    max: Math.round(latencies.at(-1) ?? NaN),
  };
}

/** The raw cost lowdb pays on every group commit: writing and fsyncing a file of the same size. */
async function rawWrite(bytes: number): Promise<number> {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-bench-raw-')), 'x.json');
  const text = 'x'.repeat(bytes);
  const started = performance.now();
  const fh = await open(file, 'w');
  await fh.writeFile(text);
  await fh.sync();
  await fh.close();
  const ms = performance.now() - started;
  await rm(file);
  return Math.round(ms);
}

const phase = process.env.BENCH_PHASE;
if (phase === undefined) {
  // Each store runs in a process of its own, so neither pays for the other's heap.
  console.log(`lowdb store: ${CONTACTS} contacts, open-loop load of ${RATE} events/s for ${SECONDS} s`);
  for (const p of ['memory', 'lowdb']) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_PHASE: p },
      stdio: 'inherit',
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
} else if (phase === 'memory') {
  const memory = runtimeOn(new MemoryStore());
  console.log(`memory store preload: ${(await preload(memory)).toFixed(1)} s`);
  console.log('memory store (baseline, not durable):', await sustained(memory));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-lowdb-'));
  const lowdb = await LowdbStore.open(dir);
  const runtime = runtimeOn(lowdb);
  console.log(`lowdb preload: ${(await preload(runtime)).toFixed(1)} s, ${lowdb.writes} durable writes`);
  // Steady state: the preload's journal folded into a snapshot, as a running server would have it.
  await lowdb.compact();
  const writesBefore = lowdb.writes;
  const snapshotsBefore = lowdb.snapshots;
  const result = await sustained(runtime);
  const size = statSync(join(dir, 'runtime.json')).size;
  const writes = lowdb.writes - writesBefore;
  console.log('lowdb store (every ack durable):', {
    ...result,
    snapshots: lowdb.snapshots - snapshotsBefore,
    durableWrites: writes,
    eventsPerWrite: Math.round(result.acked / writes),
    snapshotMB: +(size / 1e6).toFixed(1),
    heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  });
  console.log(`raw write + fsync of a ${(size / 1e6).toFixed(1)} MB file: ${await rawWrite(size)} ms`);
  console.log(
    `target: ≥ 5000 events/s sustained, p99 ≤ 1000 ms → ${result.eventsPerSecond >= 5000 && result.p99 <= 1000 && result.failed === 0 ? 'met' : 'NOT met'}`,
  );
  await lowdb.close();
  await rm(dir, { recursive: true });
}
