import type { HistoryEvent } from '@baton/engine';

/** An older part as this process holds it, with the key its row keeps it under. */
export interface HeldOlderPart {
  readonly key: string;
  readonly history: readonly HistoryEvent[];
}

/**
 * The older parts of timelines (up to 968 events, about 70 KB of JSON each) this process read or wrote
 * lately, by contact, each with the key its row holds them under (`baton_contacts.history_key`, a new
 * random one at every write of the column). A read names the key it holds and the database leaves the
 * column out when the row still holds that key, so a contact that steps again soon is neither sent nor
 * parsed again, and its name index and running scores, kept on the array (`conditions/timeline.ts`), go
 * on from one step to the next instead of being made again from every event. A key is never written
 * twice, so a row another process changed, or forgot and made again, never matches an older part held
 * here.
 *
 * Bounded by events: the least recently used go first once the total passes `budget`.
 */
export class OlderParts {
  private readonly byContact = new Map<string, HeldOlderPart>();
  private events = 0;

  constructor(readonly budget: number) {}

  /** What is held of `contactId`'s older part (marked as used now), or undefined. */
  get(contactId: string): HeldOlderPart | undefined {
    const held = this.byContact.get(contactId);
    if (held !== undefined) {
      this.byContact.delete(contactId);
      this.byContact.set(contactId, held);
    }
    return held;
  }

  /** Holds `history` as what `contactId`'s row keeps under `key`, in place of anything held before. */
  keep(contactId: string, key: string, history: readonly HistoryEvent[]): void {
    this.drop(contactId);
    if (history.length > this.budget) return;
    this.byContact.set(contactId, { key, history });
    this.events += history.length;
    for (const [oldest, part] of this.byContact) {
      if (this.events <= this.budget) break;
      this.byContact.delete(oldest);
      this.events -= part.history.length;
    }
  }

  /**
   * What a read found, held in place of `expected` (what was held when the read began), or let go when
   * `found` is undefined; nothing changes when something else is held by now (a commit that finished
   * meanwhile holds a newer older part than the read saw).
   */
  replace(contactId: string, expected: HeldOlderPart | undefined, found: HeldOlderPart | undefined): void {
    if (this.byContact.get(contactId) !== expected) return;
    if (found === undefined) this.drop(contactId);
    else this.keep(contactId, found.key, found.history);
  }

  /** Lets go of what is held of `contactId`. */
  drop(contactId: string): void {
    const held = this.byContact.get(contactId);
    if (held === undefined) return;
    this.byContact.delete(contactId);
    this.events -= held.history.length;
  }

  /** How many events are held, and for how many contacts. */
  get size(): { events: number; contacts: number } {
    return { events: this.events, contacts: this.byContact.size };
  }
}
