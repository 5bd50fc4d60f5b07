import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  HISTORY_LIMIT,
  RECENT_MAX,
  ScoreModel,
  computeScore,
  eventsOf,
  withEvent,
  type HistoryEvent,
  type Timeline,
} from '../src/internal.ts';
import { predicateFor } from '../src/conditions/cache.ts';
import { heldEvent } from '../src/conditions/timeline.ts';
import { propertyValues } from '../src/model/intern.ts';
import { DAY, T0 } from './helpers.ts';

const LIMIT = 12;
const RECENT = 4;

/** Every event in arrival order, each put after the events at or before its instant: the timeline with no limit. */
function reference(events: HistoryEvent[]): HistoryEvent[] {
  const list: HistoryEvent[] = [];
  for (const e of events) {
    let i = list.length;
    while (i > 0 && list[i - 1]!.at > e.at) i--;
    list.splice(i, 0, e);
  }
  return list;
}

function isSubsequence<T>(part: readonly T[], whole: readonly T[]): boolean {
  let j = 0;
  for (const x of whole) if (j < part.length && part[j] === x) j++;
  return j === part.length;
}

const arrivals = fc.array(fc.record({ name: fc.constantFrom('A', 'B'), at: fc.integer({ min: 0, max: 40 }) }), {
  maxLength: 60,
  size: 'max',
});

function recordAll(events: HistoryEvent[], limit = LIMIT, recentMax = RECENT): Timeline {
  let t: Timeline = { history: [] };
  for (const e of events) t = Object.freeze(withEvent(Object.freeze(t), Object.freeze(e), limit, recentMax));
  return t;
}

describe('a contact timeline', () => {
  it('holds the events in time order, never more than the limit, always the newest limit - recent of them', () => {
    fc.assert(
      fc.property(arrivals, (raw) => {
        const events = raw.map((e) => ({ ...e, properties: {} }));
        const kept = eventsOf(recordAll(events));
        const all = reference(events);
        expect(kept.length).toBeLessThanOrEqual(LIMIT);
        expect(isSubsequence(kept, all)).toBe(true);
        expect(isSubsequence(all.slice(-(LIMIT - RECENT)), kept)).toBe(true);
        if (events.length <= LIMIT - RECENT) expect(kept).toEqual(all);
      }),
    );
  });

  it('shares its older events between versions: recording one copies only the recent part', () => {
    const events = Array.from({ length: 500 }, (_, i) => ({ name: 'Page Viewed', at: i, properties: {} }));
    let t: Timeline = { history: [] };
    let copies = 0;
    for (const e of events) {
      const next = withEvent(t, e);
      if (next.history !== t.history) copies++;
      t = next;
    }
    expect(eventsOf(t)).toEqual(events);
    expect(copies).toBe(Math.floor(500 / RECENT_MAX));
  });

  it('leaves the timeline it was given unchanged, also for an event that came late', () => {
    const t = Object.freeze({
      history: Object.freeze([{ name: 'A', at: 10, properties: {} }]),
      recent: Object.freeze([{ name: 'B', at: 20, properties: {} }]),
    });
    const late = withEvent(t, { name: 'C', at: 5, properties: {} });
    expect(eventsOf(late).map((e) => e.name)).toEqual(['C', 'A', 'B']);
    const between = withEvent(t, { name: 'D', at: 15, properties: {} });
    expect(eventsOf(between).map((e) => e.name)).toEqual(['A', 'D', 'B']);
    expect(eventsOf(t).map((e) => e.name)).toEqual(['A', 'B']);
  });

  it('takes a timeline stored before it had two parts, and trims one at the limit', () => {
    const stored = {
      history: Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ name: 'Old', at: i, properties: {} })),
    };
    const next = withEvent(stored, { name: 'New', at: HISTORY_LIMIT, properties: {} });
    const events = eventsOf(next);
    expect(events.length).toBeLessThanOrEqual(HISTORY_LIMIT);
    expect(events.at(-1)!.name).toBe('New');
    expect(events[0]!.at).toBe(HISTORY_LIMIT + 1 - events.length);
  });

  it('is read in full by count rules and scores: older events, then recent ones', () => {
    const t = recordAll(
      Array.from({ length: 9 }, (_, i) => ({ name: 'Demo Requested', at: T0 - (8 - i) * DAY, properties: {} })),
      100,
      4,
    );
    expect(t.history.length).toBeGreaterThan(0);
    expect(t.recent!.length).toBeGreaterThan(0);
    const env = { contactId: 'c1', traits: {}, ...t, now: T0, score: () => undefined };
    const count = (within?: string) =>
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((n) =>
        predicateFor({ event: 'Demo Requested', op: 'gte', value: n, ...(within ? { within } : {}) })(env),
      ).length;
    expect(count()).toBe(9);
    expect(count('P2D')).toBe(3); // at T0 - 2 days, - 1 day and T0: the window's start is included
    const demos = ScoreModel.parse({ events: [{ event: 'Demo Requested', points: 10 }] });
    expect(computeScore(demos, { contactId: 'c1', traits: {}, ...t, now: T0 })).toBe(90);
  });
});

describe('an event as a timeline holds it', () => {
  it('keeps every property value as sent, shares short strings in place, and leaves an object that refuses alone', () => {
    const sent = JSON.parse(
      '{"path":"/held-path-1","title":"Held title 1","n":3,"tags":["a"],"nested":{"x":"y"},"__proto__":"kept","url":"' +
        `https://example.com/${'x'.repeat(80)}` +
        '"}',
    ) as Record<string, unknown>;
    const copy = structuredClone(sent);
    const shared = vi.spyOn(propertyValues, 'of');
    try {
      const held = heldEvent({ name: 'Page Viewed', at: T0, properties: sent });
      expect(held.properties).toBe(sent); // changed in place, not copied
      expect(held.properties).toEqual(copy);
      expect(Object.getOwnPropertyNames(held.properties)).toEqual(Object.getOwnPropertyNames(copy));
      expect(Object.getPrototypeOf(held.properties)).toBe(Object.prototype);
      // The short strings went through the table, the 100-character URL and the other values did not.
      expect(shared.mock.calls.map(([v]) => v)).toEqual(['/held-path-1', 'Held title 1', 'kept']);
      const before = propertyValues.size;
      heldEvent({ name: 'Page Viewed', at: T0, properties: { path: '/held-path-1', title: 'Held title 2' } });
      expect(propertyValues.size).toBe(before + 1); // the path was kept already
      // A frozen object, one with a read-only value, and one that is not plain are held as they are.
      shared.mockClear();
      const frozen = Object.freeze({ path: '/a', title: 'A' });
      expect(heldEvent({ name: 'Page Viewed', at: T0, properties: frozen }).properties).toBe(frozen);
      const readOnly = Object.defineProperty({ title: 'B' } as Record<string, unknown>, 'path', {
        value: '/b',
        enumerable: true,
        writable: false,
      });
      expect(heldEvent({ name: 'Page Viewed', at: T0, properties: readOnly }).properties).toEqual({
        title: 'B',
        path: '/b',
      });
      class Page {
        path = '/c';
      }
      const instance = new Page();
      expect(heldEvent({ name: 'Page Viewed', at: T0, properties: instance as never }).properties).toBe(instance);
      expect(shared.mock.calls.map(([v]) => v)).toEqual(['/a', 'B', '/b']);
      expect(heldEvent({ name: 'Page Viewed', at: T0, properties: {} }).properties).toBe(
        heldEvent({ name: 'Signed Up', at: T0, properties: {} }).properties,
      );
    } finally {
      shared.mockRestore();
    }
  });
});
