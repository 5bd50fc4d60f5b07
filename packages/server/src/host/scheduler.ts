import type { Runtime } from '@baton/engine/internal';
import type { Metrics } from '../ops/metrics.ts';
import { Ticker } from './ticker.ts';

/** How a scheduler claims timers, and what it tells about them. */
export interface SchedulerOptions {
  tickMs: number;
  /** This process's name in timer claims (the runtime's owner). */
  owner: string;
  /** How long a claim holds (the runtime's lease): a process that dies holding timers loses them after it. */
  leaseMs: number;
  /** Gives up this process's claims of timers it did not fire, so another process fires them at once. */
  release: (owner: string) => Promise<void>;
  metrics?: Metrics | undefined;
  failed?: ((name: string, err: unknown) => void) | undefined;
  /**
   * Other processes share the store (PostgreSQL): after the timers, each tick assigns handoffs left
   * waiting while a rep was freed elsewhere (`Runtime.assignStranded`).
   */
  shared?: boolean | undefined;
}

/** Timers claimed at once (one query for up to this many). */
const BATCH = 100;

/**
 * Fires due timers (waits, timeouts, SLA deadlines, expiries, assignment retries) as they fall due: claims
 * them under a lease, and fires each at its own instant, in due order. Stopping lets the timer being fired
 * finish, then gives the rest of the claim back, so a stopping process holds no timer hostage.
 */
export class Scheduler {
  private readonly ticker: Ticker;
  private stopping = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly options: SchedulerOptions,
  ) {
    this.ticker = new Ticker('scheduler', () => this.fireDue(), options.tickMs, options.failed);
  }

  /** Fires what is due now (after the tick in progress). */
  tick(): Promise<void> {
    return this.ticker.tick();
  }

  /** Fires due timers every tick from now on. */
  start(): void {
    this.ticker.start();
  }

  /** How many ticks in a row have failed (readiness), and why the last one did. */
  get failing(): { count: number; last: unknown } {
    return this.ticker.failing;
  }

  /** Whether it is running on its own (readiness). */
  get running(): boolean {
    return this.ticker.started && !this.stopping;
  }

  /** Stops: the timer being fired finishes, the claims of the others are released. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.ticker.stop();
    await this.ticker.idle();
    await this.options.release(this.options.owner).catch((err: unknown) => this.options.failed?.('scheduler', err)); // their leases run out instead
  }

  private async fireDue(): Promise<void> {
    const { store, clock } = this.runtime;
    const { owner, leaseMs, metrics } = this.options;
    while (!this.stopping) {
      const now = clock.now();
      const due = await store.claimDueTimers({ owner, dueBy: now, limit: BATCH, now, leaseUntil: now + leaseMs });
      if (due.length === 0) {
        if (this.options.shared) await this.runtime.assignStranded(now);
        return;
      }
      for (const timer of due) {
        if (this.stopping) return; // the rest of the claim is released by stop()
        metrics?.timerLateness.observe(Math.max(0, clock.now() - timer.dueAt) / 1000);
        await this.runtime.fire(timer);
        metrics?.timersFired.inc();
      }
    }
  }
}
