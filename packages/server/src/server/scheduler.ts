import type { Runtime } from '@baton/engine';

/** Fires due timers (waits, timeouts, SLA deadlines, expiries, assignment retries) as they fall due. */
export class Scheduler {
  private handle: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly runtime: Runtime, private readonly tickMs: number) {}

  /** Fires everything due now; ticks never overlap. */
  tick(): Promise<void> {
    this.running = this.running.then(async () => {
      const due = await this.runtime.store.nextDueAt();
      if (due !== null && due <= this.runtime.clock.now()) await this.runtime.advance(this.runtime.clock.now(), 100);
    });
    return this.running;
  }

  start(): void {
    this.handle ??= setInterval(() => void this.tick().catch((err) => console.error('scheduler:', err)), this.tickMs);
  }

  stop(): void {
    if (this.handle) clearInterval(this.handle);
    this.handle = null;
  }

  /** Resolves when the tick in progress is done. */
  idle(): Promise<void> {
    return this.running.catch(() => undefined);
  }
}
