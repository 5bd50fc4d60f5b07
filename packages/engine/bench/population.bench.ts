// pnpm bench: a synthetic population of the pricing example (journey, team, workspace) over 30 days at
// three sizes in one run, each in a child process of its own so that one size's heap never slows the
// next and its peak memory is its own. Issue #17's targets: 1M contacts in ≤ 60 s and ≤ 2 GB (aim ≤ 10 s
// and ≤ 1 GB), cost growing as N log N or better. The machine is shared and noisy, so each line also gives
// a yardstick measured in the same child (a fixed sort), and the growth is read from the ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { PartitionBatch, SyntheticInput } from '../src/internal.ts';

/**
 * What runs: the engine as it is published (`dist/`, built by tsc before the run: what an installed
 * `baton` runs), or with `BENCH_POPULATION_SOURCE=1` its TypeScript sources through tsx (what `pnpm baton`
 * runs in a checkout; tsx names every closure it makes, which costs a step some percent).
 */
const SOURCE = process.env.BENCH_POPULATION_SOURCE === '1';
/** The parent builds the engine and starts a child per run; children and their worker threads load it. */
const isParent = isMainThread && process.argv[2] === undefined;
if (isParent && !SOURCE) {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
}
const engine = (
  isParent
    ? undefined
    : SOURCE
      ? await import('../src/internal.ts')
      : await import(new URL('../dist/internal.js', import.meta.url).href)
) as typeof import('../src/internal.ts');
type ContactSpool = InstanceType<typeof engine.ContactSpool>;

const SIZES = (process.env.BENCH_POPULATION_SIZES ?? '100000,300000,1000000').split(',').map(Number);
/**
 * How the report's contacts are kept: `spool` (default) as `baton simulate` does, in a `ContactSpool`, then
 * read back in id order as the CLI writes them; `objects` as `simulateSynthetic` returns them (the designer).
 */
const REPORT = process.env.BENCH_POPULATION_REPORT ?? 'spool';
/**
 * How many worker threads step contacts up to their first handoff beside the sequencer, as `baton simulate
 * --workers` does (ARCHITECTURE.md, "Synthetic simulation"): each size runs once per count given.
 */
const WORKERS = (process.env.BENCH_POPULATION_WORKERS ?? '0,1').split(',').map(Number);
const example = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/pricing-intent/${file}`, import.meta.url), 'utf8')) as unknown;

interface Result {
  contacts: number;
  workers: number;
  ms: number;
  /** Process CPU time of the simulation (main thread and V8's collector threads): steadier than wall time here. */
  cpuMs: number;
  yardstickMs: number;
  peakRssMb: number;
  events: number;
  repActions: number;
  created: number;
}

/** A fixed amount of CPU work (sorting 2M doubles): how fast this machine is right now. */
function yardstick(): number {
  const a = new Float64Array(2_000_000);
  let x = 1;
  for (let i = 0; i < a.length; i++) a[i] = x = (x * 16807) % 2147483647;
  const start = performance.now();
  a.sort();
  return performance.now() - start;
}

/** The synthetic run with `workers` worker threads (each running this file as a partition), the spool's way. */
function inWorkers(input: SyntheticInput, workers: number, spool: ContactSpool) {
  const threads: Worker[] = [];
  const inbox = new engine.PartitionInbox(
    workers,
    (i, json) => spool.addJson(i, json),
    (p) => threads[p]!.postMessage('taken'),
  );
  for (let index = 0; index < workers; index++) {
    // This file is TypeScript, run by tsx, which a worker thread loads for itself.
    const load = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const thread = new Worker(load, { eval: true, workerData: { input, index, of: workers } });
    let done = false;
    thread.on('message', (batch: PartitionBatch) => {
      if (batch.watermark === Infinity) done = true;
      inbox.put(index, batch);
    });
    thread.on('error', (err) => inbox.fail(err));
    thread.on('exit', (code) => {
      if (!done) inbox.fail(new Error(`worker ${index + 1} stopped before its last batch (exit code ${code})`));
    });
    threads.push(thread);
  }
  return engine
    .runSynthetic(input, (i, journeys) => spool.add(i, journeys), undefined, inbox)
    .finally(() => Promise.all(threads.map((t) => t.terminate())));
}

async function child(contacts: number, workers: number): Promise<void> {
  const before = yardstick();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const input = {
    journeys: [example('journey.json')],
    team: example('team.json'),
    workspace: example('workspace.json'),
    contacts,
    seed: 1,
  };
  let report: Awaited<ReturnType<typeof engine.runSynthetic>>;
  if (REPORT === 'objects') report = await engine.simulateSynthetic(input);
  else {
    const spool = new engine.ContactSpool(contacts);
    report =
      workers === 0
        ? await engine.runSynthetic(input, (i, journeys) => spool.add(i, journeys))
        : await inWorkers(input, workers, spool);
    let read = 0;
    for (const _ of spool.inIdOrder()) read++; // each entry read back, as the CLI writes it
    if (read !== contacts) throw new Error(`${read} of ${contacts} contacts reported`);
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const result: Result = {
    contacts,
    workers,
    ms,
    cpuMs: (used.user + used.system) / 1000,
    yardstickMs: (before + yardstick()) / 2,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    events: report.timing.events,
    repActions: report.timing.repActions,
    created: report.handoffs.created,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function parent(): void {
  const self = fileURLToPath(import.meta.url);
  console.log(
    `Population: pricing example, 30 days, seed 1, one child process per size; the engine's ${SOURCE ? 'sources through tsx' : 'build (dist/)'}; report contacts as ${REPORT}, heap growth ${process.env.BENCH_POPULATION_HEAP_GROWTH ?? 40}%`,
  );
  const results: Result[] = [];
  for (const n of SIZES) {
    for (const workers of WORKERS) {
      // Room to measure past the 2 GB target rather than die at V8's default heap limit; BENCH_POPULATION_HEAP_MB
      // sets another limit (a lower one trades CPU for a lower peak: more collections).
      const heapMb = process.env.BENCH_POPULATION_HEAP_MB ?? '8192';
      // The heap's growth bounded as `baton simulate` bounds it (its --heap-growth 40); 0 leaves V8's own policy.
      const growth = Number(process.env.BENCH_POPULATION_HEAP_GROWTH ?? 40);
      const flags = [`--max-old-space-size=${heapMb}`, ...(growth > 0 ? [`--heap-growing-percent=${growth}`] : [])];
      const run = spawnSync(process.execPath, [...process.execArgv, ...flags, self, String(n), String(workers)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const label = `${String(n).padStart(9)} contacts, ${workers} worker${workers === 1 ? '' : 's'}:`;
      const last = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0 || !last.startsWith('{')) {
        console.log(
          `${label} failed (exit ${run.status}${run.signal ? `, ${run.signal}` : ''}) ${run.stderr.split('\n').slice(-3).join(' ')}`,
        );
        continue;
      }
      const r = JSON.parse(last) as Result;
      results.push(r);
      const perContact = (r.ms * 1000) / r.contacts;
      console.log(
        `${label} ${(r.ms / 1000).toFixed(1).padStart(6)} s (CPU ${(r.cpuMs / 1000).toFixed(1)} s)  ${perContact.toFixed(1).padStart(6)} µs/contact  peak RSS ${Math.round(r.peakRssMb).toString().padStart(5)} MB  ` +
          `(${r.events} events, ${r.repActions} rep actions, ${r.created} handoffs; yardstick ${Math.round(r.yardstickMs)} ms)`,
      );
    }
  }
  for (const workers of WORKERS) {
    const runs = results.filter((r) => r.workers === workers);
    const first = runs[0];
    if (!first) continue;
    for (const r of runs.slice(1)) {
      const growth = r.ms / r.yardstickMs / (first.ms / first.yardstickMs);
      const nlogn = (r.contacts * Math.log(r.contacts)) / (first.contacts * Math.log(first.contacts));
      console.log(
        `${workers} worker${workers === 1 ? '' : 's'}, ${r.contacts} vs ${first.contacts}: time ×${growth.toFixed(2)} (yardstick-normalised), N ×${(r.contacts / first.contacts).toFixed(1)}, N log N ×${nlogn.toFixed(2)}`,
      );
    }
  }
}

if (!isMainThread) {
  // A worker thread of a child: one partition of the run.
  const { input, index, of } = workerData as { input: SyntheticInput; index: number; of: number };
  const port = parentPort!;
  const sender = engine.partitionSender((batch) => port.postMessage(batch));
  port.on('message', sender.taken);
  await engine.runSyntheticPartition(input, index, of, sender.send);
  port.close();
} else {
  const size = process.argv[2];
  if (size === undefined) parent();
  else await child(Number(size), Number(process.argv[3] ?? 0));
}
