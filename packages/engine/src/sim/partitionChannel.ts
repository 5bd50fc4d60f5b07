import type { PartitionBatch, SyntheticPartitions } from './synthetic.ts';

// The two ends between a synthetic run's partitions and its sequencer, whatever carries the messages
// (Node's worker threads in the CLI, a test's queue): the sequencer's inbox, and each partition's sender,
// which keeps at most `credit` batches the sequencer has not taken yet.

/** Batches a partition may have sent and the sequencer not yet taken, by default. */
export const PARTITION_CREDIT = 8;

/**
 * The sequencer's end. Batches are put as they arrive, one queue per partition, and taken from the
 * partition that holds the sequencer back (the least watermark taken so far): the others' batches wait
 * untaken, so a partition that runs ahead stops when its credit is spent instead of running the whole run
 * ahead into the sequencer's memory. `taken` tells a partition that one of its batches was taken.
 */
export class PartitionInbox implements SyntheticPartitions {
  private readonly queues: PartitionBatch[][];
  /** Per partition: the watermark of its last batch taken (-Infinity before the first). */
  private readonly marks: Float64Array;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    readonly count: number,
    /** A contact that finished in a partition, with its entry as JSON. */
    readonly finished: (index: number, json: string) => void,
    /** Called as the sequencer takes a batch that is not a partition's last: give the partition its credit back. */
    private readonly taken: (partition: number) => void,
  ) {
    this.queues = Array.from({ length: count }, () => []);
    this.marks = new Float64Array(count).fill(-Infinity);
  }

  /** A batch arrived from `partition`. */
  put(partition: number, batch: PartitionBatch): void {
    this.queues[partition]!.push(batch);
    this.wake?.();
  }

  /** A partition failed: the sequencer's next wait throws this (the first failure wins). */
  fail(err: Error): void {
    this.failure ??= err;
    this.wake?.();
  }

  async receive(): Promise<{ partition: number; batch: PartitionBatch }> {
    let partition = 0;
    for (let p = 1; p < this.count; p++) if (this.marks[p]! < this.marks[partition]!) partition = p;
    for (;;) {
      if (this.failure) throw this.failure;
      const batch = this.queues[partition]!.shift();
      if (batch !== undefined) {
        this.marks[partition] = batch.watermark;
        if (batch.watermark !== Infinity) this.taken(partition);
        return { partition, batch };
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

/**
 * A partition's end: `send` posts a batch and, while `credit` batches are not taken yet, waits; `taken` is
 * called for each batch the sequencer took.
 */
export function partitionSender(
  post: (batch: PartitionBatch) => void,
  credit = PARTITION_CREDIT,
): { send: (batch: PartitionBatch) => void | Promise<void>; taken: () => void } {
  let sent = 0;
  let taken = 0;
  let resume: (() => void) | undefined;
  return {
    send(batch) {
      post(batch);
      sent++;
      if (batch.watermark === Infinity || sent - taken < credit) return; // (the last is never taken back)
      return new Promise<void>((r) => (resume = r));
    },
    taken() {
      taken++;
      if (sent - taken < credit) resume?.();
    },
  };
}
