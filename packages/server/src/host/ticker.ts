/** Runs a task every `ms`, never two at once; `tick()` runs it now (after the one in progress). */
export class Ticker {
  private handle: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly name: string, private readonly task: () => Promise<void>, private readonly ms: number) {}

  tick(): Promise<void> {
    this.running = this.running.then(this.task);
    return this.running;
  }

  start(): void {
    this.handle ??= setInterval(() => void this.tick().catch((err) => console.error(`${this.name}:`, err)), this.ms);
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
