import type { Runtime } from '@baton/engine';
import { Ticker } from './ticker.ts';

/** Fires due timers (waits, timeouts, SLA deadlines, expiries, assignment retries) as they fall due. */
export function scheduler(runtime: Runtime, tickMs: number): Ticker {
  return new Ticker('scheduler', async () => {
    const due = await runtime.store.nextDueAt();
    if (due !== null && due <= runtime.clock.now()) await runtime.advance(runtime.clock.now(), 100);
  }, tickMs);
}
