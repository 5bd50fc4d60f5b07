// A partition of `baton simulate --contacts N --workers W` (issue #17), in a worker thread: it steps its
// contacts up to their first handoff and sends the sequencer, on the main thread, what it hands over and
// what finished (`runSyntheticPartition`), a few batches ahead of it at most (`partitionSender`).
import { parentPort, workerData } from 'node:worker_threads';
import { partitionSender, runSyntheticPartition, type SyntheticInput } from '@baton/engine/internal';

/** What the main thread gives each worker. */
export interface PartitionJob {
  input: SyntheticInput;
  index: number;
  of: number;
}

const port = parentPort!;
const job = workerData as PartitionJob;
const sender = partitionSender((batch) => port.postMessage(batch));
port.on('message', sender.taken);
await runSyntheticPartition(job.input, job.index, job.of, sender.send);
port.close();
