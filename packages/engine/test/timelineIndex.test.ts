import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INDEX_MIN,
  MemoryStore,
  ScoreModel,
  newContactState,
  newDesk,
  computeScore,
  compileCondition,
  withEvent,
  type HistoryEvent,
  type Timeline,
} from '../src/internal.ts';
import { countEvents } from '../src/conditions/evaluate.ts';
import { predicateFor } from '../src/conditions/cache.ts';
import type { EventRule } from '../src/model/condition.ts';
import { countByWalking, scoreByWalking } from './reference/timeline.ts';
import { DAY, HOUR, T0, env } from './helpers.ts';

const NAMES = ['Page Viewed', 'Feature Used', 'Session Started'] as const;
const PATHS = ['/pricing', '/blog', '/docs'] as const;

/** Events as they arrive: mostly in order, some late (out of order), some at the same instant. */
const arrivals = fc.array(
  fc.record({
    name: fc.constantFrom(...NAMES),
    path: fc.constantFrom(...PATHS),
    // Hours before T0, most recent first in arrival order with jitter: `late` sends it back in time.
    // Whether the timeline is read after this event: a read makes the index, later folds carry it on.
    read: fc.boolean(),
    late: fc.oneof(
      { weight: 9, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }) },
    ),
  }),
  { minLength: 0, maxLength: 260, size: 'max' },
);

function timeline(
  raw: { name: string; path: string; late: number; read: boolean }[],
  limit: number,
  recentMax: number,
  models: readonly ScoreModel[] = [],
) {
  let t: Timeline = { history: [] };
  const versions: Timeline[] = [];
  raw.forEach((r, i) => {
    const at = T0 - 30 * DAY + i * 2 * HOUR - r.late * HOUR;
    t = withEvent(t, { name: r.name, at, properties: { path: r.path } }, limit, recentMax);
    if (r.read) {
      countEvents({ event: r.name }, null, env({ ...t, now: at }));
      // A score read keeps a running sum with the older part, which later folds carry on.
      for (const model of models) computeScore(model, { contactId: 'c1', traits: {}, ...t, now: at });
    }
    versions.push(t);
  });
  return { t, versions };
}

const eventRule: fc.Arbitrary<EventRule> = fc.record(
  {
    event: fc.constantFrom(...NAMES),
    within: fc.constantFrom('PT6H', 'P1D', 'P7D', 'P1M', 'P1Y'),
    where: fc.constantFrom(...PATHS).map((value) => ({ field: 'event.properties.path', op: 'eq' as const, value })),
    op: fc.constant('gte' as const),
    value: fc.constant(1),
  },
  { requiredKeys: ['event'] },
);

const scoreModel = fc
  .record(
    {
      events: fc.array(
        fc.record(
          {
            event: fc.constantFrom(...NAMES),
            where: fc.constantFrom(...PATHS).map((value) => ({ field: 'event.properties.path', op: 'eq', value })),
            points: fc.oneof(fc.integer({ min: -20, max: 50 }), fc.double({ min: -20, max: 50, noNaN: true })),
          },
          { requiredKeys: ['event', 'points'] },
        ),
        { minLength: 1, maxLength: 4 },
      ),
      halfLife: fc.constantFrom('PT6H', 'P1D', 'P14D', 'P1M'),
      max: fc.integer({ min: 0, max: 400 }),
      rules: fc.constant([{ when: { field: 'contact.plan', op: 'eq', value: 'pro' }, points: 7 }]),
    },
    { requiredKeys: ['events'] },
  )
  .map((m) => ScoreModel.parse(m));

/** Read instants: between the events, after the last, before the first (events in the future). */
const instants = fc.array(fc.integer({ min: -40 * 24, max: 40 * 24 }), { minLength: 1, maxLength: 4 });

/** `list` behind a proxy that counts its element reads (`reads.n`). */
function counted(list: readonly HistoryEvent[]) {
  const reads = { n: 0 };
  const history = new Proxy(list as HistoryEvent[], {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.n++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { history, reads };
}

describe('the timeline name index', () => {
  it('counts what walking the whole timeline counts, for any events, windows, filters and instants', () => {
    fc.assert(
      fc.property(
        arrivals,
        fc.array(eventRule, { minLength: 1, maxLength: 4 }),
        instants,
        fc.constantFrom([150, 8], [1000, 32], [100, 30]),
        (raw, rules, hours, [limit, recentMax]) => {
          const { t, versions } = timeline(raw, limit!, recentMax!);
          // The newest version and a few older ones (their history arrays have indexes of their own).
          for (const v of [t, ...versions.filter((_, i) => i % 37 === 0)]) {
            for (const h of hours) {
              const e = env({ ...v, now: T0 + h * HOUR });
              for (const rule of rules) {
                const where = rule.where ? compileCondition(rule.where) : null;
                expect(countEvents(rule, where, e)).toBe(countByWalking(rule, where, e));
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('scores what walking the whole timeline scores, to the last bit', () => {
    fc.assert(
      fc.property(arrivals, fc.array(scoreModel, { minLength: 1, maxLength: 3 }), instants, (raw, models, hours) => {
        const { t, versions } = timeline(raw, 150, 8, models);
        for (const v of [t, ...versions.filter((_, i) => i % 41 === 0)]) {
          for (const h of hours) {
            const input = { contactId: 'c1', traits: { plan: 'pro' }, ...v, now: T0 + h * HOUR };
            for (const model of models) expect(computeScore(model, input)).toBe(scoreByWalking(model, input));
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('answers the same for a contact loaded from stored data (no index), and keeps answering as it grows', () => {
    fc.assert(
      fc.property(arrivals, arrivals, eventRule, scoreModel, (before, after, rule, model) => {
        const stored: Timeline = JSON.parse(JSON.stringify(timeline(before, 1000, 32).t));
        let t = stored;
        after.forEach((r, i) => {
          t = withEvent(t, { name: r.name, at: T0 + i * HOUR - r.late * HOUR, properties: { path: r.path } });
          if (r.read) countEvents({ event: r.name }, null, env({ ...t }));
        });
        const e = env({ ...t, now: T0 + 300 * HOUR });
        const where = rule.where ? compileCondition(rule.where) : null;
        expect(countEvents(rule, where, e)).toBe(countByWalking(rule, where, e));
        const input = { contactId: 'c1', traits: {}, ...t, now: T0 + 300 * HOUR };
        expect(computeScore(model, input)).toBe(scoreByWalking(model, input));
      }),
      { numRuns: 60 },
    );
  });

  it('answers for every branch when older versions of a timeline take other events (their lists share buffers)', () => {
    fc.assert(
      fc.property(
        arrivals,
        fc.array(fc.tuple(fc.nat(), arrivals), { minLength: 1, maxLength: 3 }),
        eventRule,
        scoreModel,
        fc.constantFrom([150, 8], [100, 30]),
        (raw, forks, rule, model, [limit, recentMax]) => {
          const { t, versions } = timeline(raw, limit!, recentMax!, [model]);
          const branches: Timeline[] = [t];
          const all = [...versions];
          // Each fork goes on from an older version (or from a fork's), as a retried step or a backtest would.
          for (const [from, more] of forks) {
            let b = all.length > 0 ? all[from % all.length]! : { history: [] };
            more.forEach((r, i) => {
              b = withEvent(
                b,
                { name: r.name, at: T0 + i * HOUR - r.late * HOUR, properties: { path: r.path } },
                limit,
                recentMax,
              );
              if (r.read) {
                countEvents({ event: r.name }, null, env({ ...b }));
                computeScore(model, { contactId: 'c1', traits: {}, ...b, now: T0 + 300 * HOUR });
              }
              all.push(b);
            });
            branches.push(b);
          }
          const where = rule.where ? compileCondition(rule.where) : null;
          for (const v of [...branches, ...all.filter((_, i) => i % 29 === 0)]) {
            const e = env({ ...v, now: T0 + 300 * HOUR });
            expect(countEvents(rule, where, e)).toBe(countByWalking(rule, where, e));
            expect(countEvents({ event: rule.event }, null, e)).toBe(countByWalking({ event: rule.event }, null, e));
            const input = { contactId: 'c1', traits: {}, ...v, now: T0 + 300 * HOUR };
            expect(computeScore(model, input)).toBe(scoreByWalking(model, input));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads only the events of the names a count or a score is about, not the whole timeline', () => {
    let t: Timeline = { history: [] };
    for (let i = 0; i < 990; i++)
      t = withEvent(t, { name: 'Session Started', at: T0 - (1000 - i) * 60_000, properties: { device: 'web' } });
    // The first read of a timeline that has no index yet (one loaded from stored data) makes it: one walk.
    expect(countEvents({ event: 'Feature Used' }, null, env({ ...t }))).toBe(0);
    // Later events fold into new older parts, which carry the index on.
    for (let i = 0; i < 40; i++) t = withEvent(t, { name: 'Feature Used', at: T0 - (40 - i) * 1000, properties: {} });
    expect(t.history.length).toBeGreaterThan(INDEX_MIN);
    expect(t.recent!.length).toBeLessThan(40);
    // Count every element read of the older part.
    const { history, reads } = counted(t.history);
    const read = { ...t, history };
    expect(countEvents({ event: 'Feature Used', within: 'P7D' }, null, env({ ...read }))).toBe(40);
    expect(
      countEvents(
        { event: 'Feature Used', where: { field: 'event.name', op: 'eq', value: 'Feature Used' } },
        predicateFor({ field: 'event.name', op: 'eq', value: 'Feature Used' }),
        env({ ...read }),
      ),
    ).toBe(40);
    const model = ScoreModel.parse({ events: [{ event: 'Feature Used', points: 1 }], halfLife: 'P14D' });
    expect(computeScore(model, { contactId: 'c1', traits: {}, ...read, now: T0 })).toBe(40);
    expect(reads.n).toBeLessThan(200); // walking would read the ~990 older events three times
  });
  it('is made as a store opens stored data: the first read after a restart reads only the events of its name', async () => {
    let t: Timeline = { history: [] };
    for (let i = 0; i < 990; i++)
      t = withEvent(t, {
        name: i % 100 === 0 ? 'Feature Used' : 'Session Started',
        at: T0 - (1000 - i) * 60_000,
        properties: {},
      });
    const state = newContactState('c1', T0);
    // What a snapshot file holds: plain JSON, no index.
    const contacts = JSON.parse(JSON.stringify([{ ...state, contact: { ...state.contact, ...t } }]));
    const store = MemoryStore.fromSnapshot({
      contacts,
      messages: [],
      desk: { version: 0, state: newDesk() },
      outbox: [],
      seq: 0,
    });
    const loaded = (await store.load('c1'))!.contact;
    const { history, reads } = counted(loaded.history);
    const read = { ...loaded, history };
    expect(countEvents({ event: 'Feature Used', within: 'P1D' }, null, env({ ...read, now: T0 }))).toBe(10);
    expect(reads.n).toBeLessThan(40); // making the index at this read would walk all ~960 older events
  });

  it('keeps a score as a running sum with the older part: a read after folds reads only the newest events', () => {
    const model = ScoreModel.parse({
      events: [
        { event: 'Page Viewed', where: { field: 'event.properties.path', op: 'eq', value: '/pricing' }, points: 3 },
      ],
      halfLife: 'P14D',
    });
    const viewed = (t: Timeline, at: number, path: string) =>
      withEvent(t, { name: 'Page Viewed', at, properties: { path } });
    let t: Timeline = { history: [] };
    for (let i = 0; i < 990; i++) t = viewed(t, T0 - (2000 - i) * 60_000, i % 3 === 0 ? '/pricing' : '/blog');
    // The first read makes the running sum (one pass); the folds after it carry it on.
    computeScore(model, { contactId: 'c1', traits: {}, ...t, now: T0 - 900 * 60_000 });
    for (let i = 0; i < 80; i++) t = viewed(t, T0 - (800 - i) * 60_000, i % 2 === 0 ? '/pricing' : '/docs');
    expect(t.history.length).toBeGreaterThan(900);
    const { history, reads } = counted(t.history);
    const input = { contactId: 'c1', traits: {}, ...t, history, now: T0 };
    const walked = scoreByWalking(model, { ...input, history: t.history });
    reads.n = 0;
    expect(computeScore(model, input)).toBe(walked);
    expect(walked).toBeGreaterThan(300);
    expect(reads.n).toBeLessThan(5); // the walk reads every one of the ~990 page views
  });

  it('walks when a running sum cannot tell how the exact sum rounds (2.5 points, or at the cap)', () => {
    // 5 points one day ago with a one-day half-life is exactly 2.5, which rounds to 3; the running sum
    // (points scaled to another instant, then scaled back) can come out a hair under it.
    const model = ScoreModel.parse({ events: [{ event: 'Feature Used', points: 5 }], halfLife: 'P1D' });
    const capped = ScoreModel.parse({ events: [{ event: 'Feature Used', points: 5 }], halfLife: 'P1D', max: 2.5 });
    for (let shift = 1; shift <= 40; shift++) {
      let t: Timeline = { history: [] };
      for (let i = 0; i < 70; i++)
        t = withEvent(t, { name: 'Session Started', at: T0 - 3 * DAY + i * 1000, properties: {} });
      t = withEvent(t, { name: 'Feature Used', at: T0 - DAY, properties: {} });
      for (let i = 0; i < 40; i++)
        t = withEvent(t, { name: 'Session Started', at: T0 - DAY + shift * 7_777 + i * 3_333, properties: {} });
      for (const m of [model, capped]) {
        const input = { contactId: 'c1', traits: {}, ...t, now: T0 };
        computeScore(m, input); // makes the running sum
        expect(computeScore(m, input)).toBe(scoreByWalking(m, input));
        expect(computeScore(m, input)).toBe(3);
      }
    }
  });
});
