import type { HistoryEvent } from '../conditions/timeline.ts';
import { eventNames, hasKeys, NO_PROPERTIES } from '../model/intern.ts';
import type { ContactRecord } from '../state/records.ts';

/**
 * Events read from stored data, held as a step records them (`Draft.record`): names interned, empty
 * properties the one shared object, so a restarted server holds no more than the one that took the events.
 * The events are changed in place: a store owns what it has just read.
 */
export function compactEvents(events: readonly HistoryEvent[]): void {
  for (const e of events as HistoryEvent[]) {
    e.name = eventNames.of(e.name);
    if (!hasKeys(e.properties)) e.properties = NO_PROPERTIES;
  }
}

/** `compactEvents` on a contact's whole timeline. */
export function compactTimeline(contact: ContactRecord): void {
  compactEvents(contact.history);
  if (contact.recent) compactEvents(contact.recent);
}
