import { dictionary, own, type Clock } from '@baton/engine';
import type { DurableJsonFile } from '../stores/durableJsonFile.ts';

/** Webhook ids seen recently, with when; older than the window they cannot come back (the timestamp check refuses them). */
export type SeenIds = Record<string, number>;

/**
 * Refuses an inbound webhook id seen before. Ids are kept, durably, for twice the timestamp tolerance,
 * so a replay is refused across a restart too.
 */
export class ReplayGuard {
  constructor(private seen: SeenIds, private readonly file: DurableJsonFile<SeenIds>, private readonly clock: Clock, private readonly windowMs: number) {}

  /** Whether an id was seen inside the window. */
  has(id: string): boolean {
    const at = own(this.seen, id);
    return at !== undefined && this.clock.now() - at <= this.windowMs;
  }

  /** Records an id once what it asked for is done, so a failed request can be sent again. */
  async record(id: string): Promise<void> {
    const now = this.clock.now();
    // Keyed by ids a sender chose: an object without a prototype, so `__proto__` is recorded like any id.
    const kept = dictionary<number>();
    for (const [seen, at] of Object.entries(this.seen)) if (now - at <= this.windowMs) kept[seen] = at;
    kept[id] = now;
    this.seen = kept;
    await this.file.write(this.seen);
  }
}
