import type { Millis } from '../model/time.ts';
import { appended, inserted } from '../model/exact.ts';

/** An event as the engine remembers it on the contact's timeline. */
export interface HistoryEvent {
  name: string;
  at: Millis;
  properties: Record<string, unknown>;
}

/**
 * A contact's events, oldest first, in two parts: `history`, shared unchanged between versions of the
 * contact, then `recent`, the newest few. Recording an event copies only `recent`; once it holds
 * RECENT_MAX events it is folded into `history`. So a step costs about the same whether the contact has
 * 5 events or 1,000, where copying one array per event cost in proportion to the whole timeline.
 */
export interface Timeline {
  history: readonly HistoryEvent[];
  /** The newest events, after `history`. Absent in data written before the timeline had two parts. */
  recent?: readonly HistoryEvent[] | undefined;
}

/** The most events kept per contact: older ones fall off the timeline first. */
export const HISTORY_LIMIT = 1000;

/** How many events `recent` holds before it is folded into `history`. */
export const RECENT_MAX = 32;

/** No events: `recent` of a timeline stored before it had two parts. */
export const NONE: readonly HistoryEvent[] = [];

/** Every event of a timeline, oldest first (the stored array itself when `recent` is empty). */
export function eventsOf(t: Timeline): readonly HistoryEvent[] {
  return t.recent && t.recent.length > 0 ? t.history.concat(t.recent) : t.history;
}

/** Where `event` goes in `list` ordered by time: after every event at or before its instant. */
function slot(list: readonly HistoryEvent[], event: HistoryEvent): number {
  let i = list.length;
  while (i > 0 && list[i - 1]!.at > event.at) i--;
  return i;
}

/**
 * The timeline with `event` put in time order. `recent` takes it while it holds fewer than `recentMax`
 * events and the timeline fewer than `limit`; otherwise everything is folded into `history`, and the
 * oldest events beyond `limit - recentMax` fall off. So the timeline never holds more than `limit`.
 */
export function withEvent(
  t: Timeline,
  event: HistoryEvent,
  limit = HISTORY_LIMIT,
  recentMax = RECENT_MAX,
): { history: readonly HistoryEvent[]; recent: readonly HistoryEvent[] } {
  const { history } = t;
  const recent = t.recent ?? NONE;
  if (recent.length + 1 < recentMax && history.length + recent.length < limit) {
    const last = recent.length > 0 ? recent[recent.length - 1]! : history[history.length - 1];
    if (!last || last.at <= event.at) return { history, recent: appended(recent, event) };
    if (recent.length > 0 && recent[0]!.at <= event.at)
      return { history, recent: inserted(recent, slot(recent, event), event) };
    // Older than every recent event (it came late): rare, so the whole timeline is rebuilt.
  }
  const all = eventsOf(t);
  const folded = inserted(all, slot(all, event), event);
  const keep = Math.max(0, limit - recentMax);
  return { history: folded.length > keep ? folded.slice(folded.length - keep) : folded, recent: [] };
}
