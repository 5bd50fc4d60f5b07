import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  PartitionInbox,
  runSynthetic,
  type PartitionBatch,
  type ReportJourney,
  type SyntheticInput,
} from '@baton/engine/internal';
import { errorOf, type WorkerFailure } from './failure.ts';
import type { SimulationJob } from './worker.ts';

/** Below this many contacts a run is over before a worker thread has loaded: one thread does it all. */
const WORKERS_FROM = 50_000;

/**
 * How many worker threads `baton simulate --contacts N` uses unless told (`--workers`): one per core beyond
 * the first (at most 3), from 50,000 contacts on. The report is the same for any number.
 */
export function defaultWorkers(contacts: number): number {
  return contacts < WORKERS_FROM ? 0 : Math.max(0, Math.min(3, availableParallelism() - 1));
}

/** What a worker sends: a partition's batch, a whole run's report as JSON, or its failure. */
type WorkerMessage = { batch: PartitionBatch } | { report: string } | { failure: WorkerFailure };

/** A worker thread on a simulation job. In a checkout this module is TypeScript, run by tsx, which a worker loads itself. */
function startWorker(job: SimulationJob): Worker {
  const entry = import.meta.url.endsWith('.ts')
    ? new URL('./worker.mjs', import.meta.url)
    : new URL('./worker.js', import.meta.url);
  return new Worker(entry, { workerData: job });
}

/** The input without what cannot cross to a thread (a function). */
function portable(input: SyntheticInput): SyntheticInput {
  const { onProgress: _, ...data } = input;
  return data;
}

/**
 * `runSynthetic` split between `workers` worker threads, each stepping a partition of the contacts up to
 * their first handoff, and this thread, which steps the rest in the run's order (issue #17; ARCHITECTURE.md,
 * "Synthetic simulation"); with 0 workers, all on this thread. The report is the same as on one thread: `onContact` gets the entries of the
 * contacts this thread finished, `onJson` those the workers finished, as JSON.
 */
export async function runSyntheticInWorkers(
  input: SyntheticInput,
  workers: number,
  onContact: (index: number, journeys: Record<string, ReportJourney>) => void,
  onJson: (index: number, json: string) => void,
): ReturnType<typeof runSynthetic> {
  const threads: Worker[] = [];
  const inbox = new PartitionInbox(workers, onJson, (partition) => threads[partition]!.postMessage('taken'));
  try {
    for (let index = 0; index < workers; index++) {
      const thread = startWorker({ kind: 'partition', input: portable(input), index, of: workers });
      const stopped = (why: string) => new Error(`simulation worker ${index + 1} of ${workers} ${why}`);
      let done = false;
      thread.on('message', (m: WorkerMessage) => {
        if ('failure' in m) inbox.fail(errorOf(m.failure));
        else if ('batch' in m) {
          if (m.batch.watermark === Infinity) done = true;
          inbox.put(index, m.batch);
        }
      });
      thread.on('messageerror', (err) => inbox.fail(stopped(`sent a batch that could not be read: ${err.message}`)));
      thread.on('error', (err) => inbox.fail(err));
      // A worker that stops before its last batch, whatever its exit code, would leave the run waiting.
      thread.on('exit', (code) => {
        if (!done) inbox.fail(stopped(`stopped before its last batch (exit code ${code})`));
      });
      threads.push(thread);
    }
    return await runSynthetic(input, onContact, undefined, inbox);
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/**
 * `simulateSynthetic` in a worker thread, its report as JSON text (what `JSON.stringify` gives): a server
 * answers other requests meanwhile, where a population of 100,000 contacts on its own thread held every
 * request, event intake included, for seconds. Fails as the run would have, with the same Baton error.
 */
export function simulateSyntheticJson(input: SyntheticInput): Promise<string> {
  return new Promise((resolve, reject) => {
    const thread = startWorker({ kind: 'report', input: portable(input) });
    let answered = false;
    const answer = (settle: () => void) => {
      if (answered) return;
      answered = true;
      settle();
      void thread.terminate();
    };
    thread.on('message', (m: WorkerMessage) => {
      if ('report' in m) answer(() => resolve(m.report));
      else if ('failure' in m) answer(() => reject(errorOf(m.failure)));
    });
    thread.on('messageerror', (err) => answer(() => reject(err)));
    thread.on('error', (err) => answer(() => reject(err)));
    thread.on('exit', (code) =>
      answer(() => reject(new Error(`the simulation worker stopped without a report (exit code ${code})`))),
    );
  });
}
