import type { Millis } from '../model/time.ts';
import { appended, inserted } from '../model/exact.ts';
import { eventNames, hasKeys, NO_PROPERTIES, propertyValues } from '../model/intern.ts';

/** An event as the engine remembers it on the contact's timeline. */
export interface HistoryEvent {
  name: string;
  at: Millis;
  properties: Record<string, unknown>;
}

/**
 * An event as a timeline holds it, whether a step records it or a store reads it back: its name interned,
 * empty properties the one shared object, and its short string values (a page's path and title, a
 * campaign, a plan) the copy seen before, so a hundred thousand contacts do not each keep one: an event
 * costs about 280 bytes of heap, most of it its properties (docs/BENCHMARKS.md, "Memory per event").
 */
export function heldEvent(e: HistoryEvent): HistoryEvent {
  const { properties } = e;
  return {
    name: eventNames.of(e.name),
    at: e.at,
    properties: hasKeys(properties) ? withSharedValues(properties) : NO_PROPERTIES,
  };
}

/** The longest string value `heldEvent` shares: longer ones (URLs, user agents) mostly differ. */
const SHARED_VALUE_MAX = 64;

/**
 * `properties` with each short string value replaced by the equal string `propertyValues` keeps: in place,
 * since equal strings are the same value. Only a plain object (as JSON makes them); one that refuses a
 * write (frozen, a read-only key, a setter that throws) keeps what it has from there on, without an error:
 * sharing is a saving, never a reason to refuse an event.
 */
function withSharedValues(properties: Record<string, unknown>): Record<string, unknown> {
  try {
    const proto: unknown = Object.getPrototypeOf(properties);
    if (proto !== Object.prototype && proto !== null) return properties;
    for (const key in properties) {
      if (!Object.hasOwn(properties, key)) continue;
      const value = properties[key];
      if (typeof value === 'string' && value.length <= SHARED_VALUE_MAX) properties[key] = propertyValues.of(value);
    }
  } catch {
    // Frozen, read-only, or a setter of the caller's that threw: what is shared so far stays shared.
  }
  return properties;
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
 * Where each event name's events sit in a timeline's `history`, so that count rules and scores read only
 * the events of the names they are about instead of walking up to HISTORY_LIMIT events on every read.
 *
 * The index belongs to one `history` array (which is never changed once made) and is kept on it, under a
 * symbol: not part of the stored contact (JSON and structured clones leave it out), made once, the first
 * time a read needs it, for a timeline that was loaded, and carried forward by `withEvent` each time it
 * folds `recent` into a new `history`: the names that gained or lost events get new lists, the others
 * share theirs.
 *
 * Positions are sequence numbers, `offset` for `history[0]`: when older events fall off the timeline the
 * offset grows and the lists of the names that lost events drop their first entries; the rest stay valid.
 */
export interface NameIndex {
  /** `history.length` and its last event when the index was made: it answers only for that array. */
  readonly length: number;
  readonly last: HistoryEvent | undefined;
  /** The sequence number of `history[0]`. */
  readonly offset: number;
  /** Per event name, the sequence numbers of its events, oldest first; null when `history` is not in time order. */
  readonly byName: ReadonlyMap<string, Seqs> | null;
  /** Values readers keep with this `history` (a score's running sum), by their key; carried at each fold. */
  readonly derived: Map<object, Derived>;
}

/** The most values kept with one `history`: a key no reader asks for any more goes after this many. */
const DERIVED_MAX = 8;

/**
 * A value a reader keeps with one `history` array (scores keep their running sums: `scores/score.ts`), so
 * that the next `history` does not have to make it again from every event: `withEvent` hands it on.
 */
export interface Derived {
  /**
   * The value for `out`, which is `old` less its first `drop` events, then `out[firstAdded]` onwards;
   * null to let it go (the reader makes it again when it needs it).
   */
  carry(old: readonly HistoryEvent[], out: readonly HistoryEvent[], drop: number, firstAdded: number): Derived | null;
}

/**
 * One name's sequence numbers, ascending: `buf[start]` to `buf[end - 1]`. `buf` is shared with the lists of
 * older and newer versions of the timeline, and only ever grows at its end: a fold that carries a list
 * whose `end` is the buffer's end appends the name's new positions to it (the older version's view does not
 * change), so a long list is not copied at every fold, which promoted 8 KB per fold for a contact's busiest
 * name. A list whose `end` is not the buffer's end (an older version folded again) is copied, and so is one
 * whose buffer holds more dropped entries than live ones, so a buffer stays under twice its list.
 */
export interface Seqs {
  readonly buf: number[];
  readonly start: number;
  readonly end: number;
}

const INDEX: unique symbol = Symbol('baton.timeline.index');
type Indexed = readonly HistoryEvent[] & { [INDEX]?: NameIndex };

/**
 * Keeps `ix` on `history`, not enumerable: a timeline with its index equals one without (a contact a
 * store opened equals the one it stored), and copies that spread or walk the array leave it out.
 */
function keepIndex(history: readonly HistoryEvent[], ix: NameIndex): void {
  Object.defineProperty(history, INDEX, { value: ix, writable: true, configurable: true });
}

/** Below this many events a read walks `history` itself: an index would cost more than it saves. */
export const INDEX_MIN = 64;

function buildIndex(history: readonly HistoryEvent[]): NameIndex {
  const lists = new Map<string, number[]>();
  let previous = -Infinity;
  let sorted = true;
  for (let i = 0; i < history.length; i++) {
    const e = history[i]!;
    if (e.at < previous) {
      sorted = false; // never written by withEvent: read by walking, as before
      break;
    }
    previous = e.at;
    const list = lists.get(e.name);
    if (list) list.push(i);
    else lists.set(e.name, [i]);
  }
  let byName: Map<string, Seqs> | null = null;
  if (sorted) {
    byName = new Map();
    for (const [name, list] of lists) byName.set(name, { buf: list, start: 0, end: list.length });
  }
  return { length: history.length, last: history[history.length - 1], offset: 0, byName, derived: new Map() };
}

/**
 * The name index of `history`, made now if it has none; null when `history` is short, not in time
 * order, or frozen (nothing can be kept on it): then reads walk it.
 */
export function nameIndex(history: readonly HistoryEvent[]): NameIndex | null {
  if (history.length < INDEX_MIN) return null;
  const kept = (history as Indexed)[INDEX];
  // The check catches an array someone changed after the index was made (the engine never does).
  let ix = kept !== undefined && kept.length === history.length && kept.last === history[kept.length - 1] ? kept : null;
  if (ix === null) {
    if (!Object.isExtensible(history)) return null;
    ix = buildIndex(history);
    keepIndex(history, ix);
  }
  return ix.byName === null ? null : ix;
}

/** How many of `seqs` point at events before `at` (or at or before it, when `inclusive`). */
export function countBefore(
  history: readonly HistoryEvent[],
  ix: NameIndex,
  seqs: Seqs,
  at: number,
  inclusive: boolean,
): number {
  const { buf } = seqs;
  let lo = seqs.start;
  let hi = seqs.end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = history[buf[mid]! - ix.offset]!.at;
    if (t < at || (inclusive && t === at)) lo = mid + 1;
    else hi = mid;
  }
  return lo - seqs.start;
}

/**
 * The index of `out`, the new `history` made of `old` (indexed by `ix`) followed by `added`, less its first
 * `drop` events. Only the names whose events were dropped or added get new lists.
 */
function carryIndex(
  ix: NameIndex,
  byName: ReadonlyMap<string, Seqs>,
  old: readonly HistoryEvent[],
  out: readonly HistoryEvent[],
  drop: number,
): NameIndex {
  const offset = ix.offset + drop;
  const lists = new Map(byName);
  const touched = new Set<string>();
  for (let i = 0; i < drop && i < old.length; i++) touched.add(old[i]!.name);
  const firstAdded = Math.max(0, old.length - drop);
  for (let i = firstAdded; i < out.length; i++) touched.add(out[i]!.name);
  for (const name of touched) {
    const before = byName.get(name);
    let start = 0;
    let end = 0;
    let buf: number[] = [];
    if (before !== undefined) {
      ({ buf, start, end } = before);
      while (start < end && buf[start]! < offset) start++;
    }
    let added = 0;
    for (let i = firstAdded; i < out.length; i++) if (out[i]!.name === name) added++;
    if (added > 0 && (end !== buf.length || start > end - start)) {
      // Not the buffer's newest view (an older version folded again), or mostly dropped entries: copied.
      const copy = new Array<number>(end - start);
      for (let j = start; j < end; j++) copy[j - start] = buf[j]!;
      buf = copy;
      end -= start;
      start = 0;
    }
    for (let i = firstAdded; i < out.length; i++) if (out[i]!.name === name) buf[end++] = offset + i;
    if (end > start) lists.set(name, { buf, start, end });
    else lists.delete(name);
  }
  const derived = new Map<object, Derived>();
  let skip = ix.derived.size - DERIVED_MAX; // the oldest keys first
  for (const [key, value] of ix.derived) {
    if (skip-- > 0) continue;
    const next = value.carry(old, out, drop, firstAdded);
    if (next !== null) derived.set(key, next);
  }
  return { length: out.length, last: out[out.length - 1], offset, byName: lists, derived };
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
  // Fold: history, recent and the event, in time order, into one new array, less the oldest beyond
  // `limit - recentMax`: made in one copy (concatenating, inserting and trimming made three).
  const h = history.length;
  const n = h + recent.length;
  let at = n; // where the event goes: after every event at or before its instant
  while (at > 0 && (at > h ? recent[at - h - 1]! : history[at - 1]!).at > event.at) at--;
  const keep = Math.max(0, limit - recentMax);
  const drop = Math.max(0, n + 1 - keep);
  const out = new Array<HistoryEvent>(n + 1 - drop);
  for (let i = drop; i <= n; i++)
    out[i - drop] =
      i < at
        ? i < h
          ? history[i]!
          : recent[i - h]!
        : i === at
          ? event
          : i - 1 < h
            ? history[i - 1]!
            : recent[i - 1 - h]!;
  // The new history gets its index now, so reads never have to make one: the old history's carried
  // over, unless the event went in among its events (it came late); made from scratch otherwise (the
  // first fold of a timeline that was loaded, or that just grew past INDEX_MIN).
  if (out.length >= INDEX_MIN) {
    const old = at >= h && h >= INDEX_MIN ? (history as Indexed)[INDEX] : undefined;
    keepIndex(
      out,
      old?.byName && old.length === h && old.last === history[h - 1]
        ? carryIndex(old, old.byName, history, out, drop)
        : buildIndex(out),
    );
  }
  return { history: out, recent: [] };
}
