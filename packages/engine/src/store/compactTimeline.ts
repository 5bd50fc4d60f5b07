import { heldEvent, type HistoryEvent } from '../conditions/timeline.ts';
import type { ContactRecord } from '../state/records.ts';

/**
 * Events read from stored data, held as a step records them (`heldEvent`), so a restarted server holds no
 * more than the one that took the events. Each is replaced in its list: a store owns what it has just read.
 */
export function compactEvents(events: readonly HistoryEvent[]): void {
  const list = events as HistoryEvent[];
  for (let i = 0; i < list.length; i++) list[i] = heldEvent(list[i]!);
}

/**
 * `compactEvents` on a contact's timeline: a whole contact, or the fields a journal's change carries (either
 * part may be missing there).
 */
export function compactTimeline(contact: Partial<Pick<ContactRecord, 'history' | 'recent'>>): void {
  if (Array.isArray(contact.history)) compactEvents(contact.history);
  if (Array.isArray(contact.recent)) compactEvents(contact.recent);
}
