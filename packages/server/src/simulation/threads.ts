import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  BatonError,
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
export function simulateSyntheticJson(input: SyntheticInput, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const thread = startWorker({ kind: 'report', input: portable(input) });
    let answered = false;
    // The run is over once its thread is: a slot it frees is not taken while its heap is still there.
    const answer = (settle: () => void) => {
      if (answered) return;
      answered = true;
      signal?.removeEventListener('abort', stop);
      void thread.terminate().finally(settle);
    };
    // Nobody waits for the report any more (the client went away): the thread stops.
    const stop = () => answer(() => reject(signal!.reason));
    signal?.addEventListener('abort', stop, { once: true });
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

/** A request waiting for a slot: started when one frees, refused when the server stops, gone when its client is. */
interface Waiting {
  start(): void;
  refuse(err: Error): void;
}

/** How many population runs wait for a slot before more are refused. */
const LINE = 8;

/**
 * The population simulations a server runs at once, each on a worker thread of its own, and the line of
 * those waiting for one to finish. A run holds a core and up to a few hundred MB for seconds, so without a
 * bound a handful of requests would take the cores and memory event intake needs. A request that finds
 * the line full is refused with `simulations_busy` (503, Retry-After): nothing was started for it.
 */
export class SimulationSlots {
  private running = 0;
  private readonly line: Waiting[] = [];
  private closed = false;
  /** How many run at once: at least one. */
  readonly size: number;

  /** `size` runs at once (default: one per core beyond the first, the server's own thread keeps one; at least one), at most `waiting` more in line. */
  constructor(
    size = availableParallelism() - 1,
    readonly waiting = LINE,
  ) {
    this.size = Math.max(1, Math.floor(size));
  }

  /** Runs `job` in a slot, first waiting in line if they are all taken; a request whose `signal` aborts leaves the line. */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.closed) throw stopping();
    if (this.running < this.size) this.running++;
    else await this.queue(signal);
    try {
      return await job();
    } finally {
      // The slot passes to the first in line, or is free.
      const next = this.line.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  /**
   * A stopping server's: those in line are refused now and new requests from now on (another server may
   * take them); the runs under way finish, as every request in flight does.
   */
  close(): void {
    this.closed = true;
    for (const waiting of this.line.splice(0)) waiting.refuse(stopping());
  }

  private queue(signal: AbortSignal | undefined): Promise<void> {
    if (this.line.length >= this.waiting)
      throw new BatonError(
        'simulations_busy',
        `${this.size} population simulation${this.size === 1 ? ' is' : 's are'} running and ${this.waiting} more waiting, the most this server takes at once: send this one again in a moment`,
      );
    return new Promise((resolve, reject) => {
      const leave = () => {
        const at = this.line.indexOf(waiting);
        if (at >= 0) this.line.splice(at, 1);
        reject(signal!.reason);
      };
      const waiting: Waiting = {
        start() {
          signal?.removeEventListener('abort', leave);
          resolve();
        },
        refuse(err) {
          signal?.removeEventListener('abort', leave);
          reject(err);
        },
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.line.push(waiting);
    });
  }
}

const stopping = () =>
  new BatonError('simulations_busy', 'this server is stopping: send the simulation again (another server may take it)');
