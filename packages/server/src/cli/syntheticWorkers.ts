import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  PartitionInbox,
  runSynthetic,
  type PartitionBatch,
  type ReportJourney,
  type SyntheticInput,
} from '@baton/engine/internal';
import type { PartitionJob } from './syntheticWorker.ts';

/** Below this many contacts a run is over before a worker thread has loaded: one thread does it all. */
const WORKERS_FROM = 50_000;

/**
 * How many worker threads `baton simulate --contacts N` uses unless told (`--workers`): one per core beyond
 * the first (at most 3), from 50,000 contacts on. The report is the same for any number.
 */
export function defaultWorkers(contacts: number): number {
  return contacts < WORKERS_FROM ? 0 : Math.max(0, Math.min(3, availableParallelism() - 1));
}

/**
 * `runSynthetic` split between `workers` worker threads, each stepping a partition of the contacts up to
 * their first handoff, and this thread, which steps the rest in the run's order (issue #17; ARCHITECTURE.md,
 * "Synthetic simulation"). The report is the same as on one thread: `onContact` gets the entries of the
 * contacts this thread finished, `onJson` those the workers finished, as JSON.
 */
export async function runSyntheticInWorkers(
  input: SyntheticInput,
  workers: number,
  onContact: (index: number, journeys: Record<string, ReportJourney>) => void,
  onJson: (index: number, json: string) => void,
): ReturnType<typeof runSynthetic> {
  // In a checkout this module is TypeScript, loaded by tsx (which a worker loads itself); the build is JavaScript.
  const entry = import.meta.url.endsWith('.ts')
    ? new URL('./syntheticWorker.mjs', import.meta.url)
    : new URL('./syntheticWorker.js', import.meta.url);
  const { onProgress, ...data } = input; // (a function does not cross to a thread)
  const threads: Worker[] = [];
  const inbox = new PartitionInbox(workers, onJson, (partition) => threads[partition]!.postMessage('taken'));
  try {
    for (let index = 0; index < workers; index++) {
      const job: PartitionJob = { input: data, index, of: workers };
      const thread = new Worker(entry, { workerData: job });
      const stopped = (why: string) => new Error(`simulation worker ${index + 1} of ${workers} ${why}`);
      let done = false;
      thread.on('message', (batch: PartitionBatch) => {
        if (batch.watermark === Infinity) done = true;
        inbox.put(index, batch);
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
