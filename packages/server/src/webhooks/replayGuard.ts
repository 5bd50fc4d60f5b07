import { dictionary, own, type Clock } from '@baton/engine/internal';
import type { Document } from '../stores/document.ts';

/** Webhook ids seen recently, with when; older than the window they cannot come back (the timestamp check refuses them). */
export type SeenIds = Record<string, number>;

/**
 * Remembers the ids of signed inbound webhooks that were refused for where their handoff stood (not open,
 * not assigned, someone else's, already accepted), so that a captured copy cannot be sent again once the
 * handoff has moved into a state where it would apply. Applied ones need no guard: their id is the
 * idempotency key of the commit that applied them, kept by the store in the same unit. Ids are kept,
 * durably, for twice the timestamp tolerance: after that the signature's timestamp refuses them anyway.
 */
export class ReplayGuard {
  constructor(
    private seen: SeenIds,
    private readonly file: Document<SeenIds>,
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /** Whether an id was seen inside the window. */
  has(id: string): boolean {
    const at = own(this.seen, id);
    return at !== undefined && this.clock.now() - at <= this.windowMs;
  }

  /** Records an id whose request was refused; one that failed for Baton's own reasons (a 500) may be sent again. */
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
