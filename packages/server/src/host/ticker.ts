/**
 * Runs a task every `ms`, never two at once; `tick()` runs it now (after the one in progress). A run that
 * fails is reported, and the next run comes all the same: a database that restarts for a second must not
 * stop a process's timers or webhooks for good.
 */
export class Ticker {
  private handle: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  /** How many runs in a row have failed (0 once one succeeds), and the last one's error. */
  private failures = { count: 0, last: undefined as unknown };

  constructor(
    private readonly name: string,
    private readonly task: () => Promise<void>,
    private readonly ms: number,
    /** Where a failed run is reported (the server's log); the next run comes all the same. */
    private readonly failed: (name: string, err: unknown) => void = (name, err) => console.error(`${name}:`, err),
  ) {}

  /** Runs the task now, after the run in progress. */
  tick(): Promise<void> {
    const run = this.running.catch(() => undefined).then(this.task);
    this.running = run;
    this.waiting++;
    run.finally(() => this.waiting--).catch(() => undefined);
    run.then(
      () => {
        this.failures = { count: 0, last: undefined };
      },
      (err: unknown) => {
        this.failures = { count: this.failures.count + 1, last: err };
      },
    );
    return run;
  }

  /** How many runs in a row have failed, and why the last one did; 0 once one succeeds. */
  get failing(): { count: number; last: unknown } {
    return this.failures;
  }

  /** Runs asked for and not finished (the one in progress included). */
  private waiting = 0;

  /**
   * Runs the task every `ms` from now on; a tick that finds a run still in progress lets it be, so a run
   * that hangs (a database that does not answer) does not pile up runs behind it.
   */
  start(): void {
    this.handle ??= setInterval(() => {
      if (this.waiting === 0) this.tick().catch((err) => this.failed(this.name, err));
    }, this.ms);
  }

  /** Runs it no more on its own (the run in progress goes on: `idle` waits for it). */
  stop(): void {
    if (this.handle) clearInterval(this.handle);
    this.handle = null;
  }

  /** Whether it runs on its own (started and not stopped). */
  get started(): boolean {
    return this.handle !== null;
  }

  /** Resolves when the tick in progress is done. */
  idle(): Promise<void> {
    return this.running.catch(() => undefined);
  }
}
