import type { PartitionBatch, SyntheticPartitions } from './synthetic.ts';

// The two ends between a synthetic run's partitions and its sequencer, whatever carries the messages
// (Node's worker threads in the CLI, a test's queue): the sequencer's inbox, and each partition's sender,
// which keeps at most `credit` batches the sequencer has not taken yet.

/** Batches a partition may have sent and the sequencer not yet taken, by default. */
export const PARTITION_CREDIT = 8;

/** The sequencer's end: batches put as they arrive, taken in arrival order; `take` tells the partition. */
export class PartitionInbox implements SyntheticPartitions {
  private readonly queue: { partition: number; batch: PartitionBatch }[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    readonly count: number,
    /** A contact that finished in a partition, with its entry as JSON. */
    readonly finished: (index: number, json: string) => void,
    /** Called as the sequencer takes a batch that is not a partition's last: give the partition its credit back. */
    private readonly taken: (partition: number) => void,
  ) {}

  /** A batch arrived from `partition`. */
  put(partition: number, batch: PartitionBatch): void {
    this.queue.push({ partition, batch });
    this.wake?.();
  }

  /** A partition failed: the sequencer's next wait throws this (the first failure wins). */
  fail(err: Error): void {
    this.failure ??= err;
    this.wake?.();
  }

  async receive(): Promise<{ partition: number; batch: PartitionBatch }> {
    for (;;) {
      if (this.failure) throw this.failure;
      const next = this.queue.shift();
      if (next !== undefined) {
        if (next.batch.watermark !== Infinity) this.taken(next.partition);
        return next;
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
