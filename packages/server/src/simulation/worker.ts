// A worker thread of a synthetic simulation (issue #17), for `baton simulate --contacts N --workers W` and
// for the API's population runs (`threads.ts`). Its job is one of:
// - a partition: steps its contacts up to their first handoff and sends the sequencer, on the main thread,
//   what it hands over and what finished (`runSyntheticPartition`), a few batches ahead of it at most;
// - a whole run: the report as JSON text, so that a server's event loop never runs a population itself.
// A failure is sent as data (`WorkerFailure`), so that a Baton error keeps its code and details.
import { parentPort, workerData } from 'node:worker_threads';
import { partitionSender, runSyntheticPartition, simulateSynthetic, type SyntheticInput } from '@baton/engine/internal';
import { failureOf } from './failure.ts';

/** What the main thread gives a worker. */
export type SimulationJob =
  | { kind: 'partition'; input: SyntheticInput; index: number; of: number }
  | { kind: 'report'; input: SyntheticInput };

const port = parentPort!;
const job = workerData as SimulationJob;
try {
  if (job.kind === 'partition') {
    const sender = partitionSender((batch) => port.postMessage({ batch }));
    port.on('message', sender.taken);
    await runSyntheticPartition(job.input, job.index, job.of, sender.send);
  } else {
    port.postMessage({ report: JSON.stringify(await simulateSynthetic(job.input)) });
  }
} catch (err) {
  port.postMessage({ failure: failureOf(err) });
}
port.close();
