import type { IdSource } from '../step/draft.ts';

/**
 * Ids numbered per contact (`hnd_synthetic-12_0001`, `tmr_synthetic-12_0002`): what a synthetic population
 * run mints (issue #17). A contact's ids depend only on its own steps, never on how many ids other contacts
 * took before it, so a contact stepped in a worker gets the ids it gets on one thread, and timers due at one
 * instant (ordered by id) come in the same order however the run is split.
 */
export class ContactIds implements IdSource {
  private readonly counts = new Map<string, number>();

  next(prefix: string, contactId: string): string {
    const n = (this.counts.get(contactId) ?? 0) + 1;
    this.counts.set(contactId, n);
    return `${prefix}_${contactId}_${n.toString(36).padStart(4, '0')}`;
  }

  /** How many ids this contact has been given. */
  count(contactId: string): number {
    return this.counts.get(contactId) ?? 0;
  }

  /** Sets how many ids the contact has been given: to take back a step's ids, or to carry them between threads. */
  set(contactId: string, n: number): void {
    if (n === 0) this.counts.delete(contactId);
    else this.counts.set(contactId, n);
  }
}
