import type { EvalEnv } from '../conditions/env.ts';
import {
  NONE,
  nameIndex,
  type Derived,
  type HistoryEvent,
  type NameIndex,
  type Seqs,
  type Timeline,
} from '../conditions/timeline.ts';
import type { ConditionShape } from '../model/condition.ts';
import { predicateFor } from '../conditions/cache.ts';
import { dictionary, own } from '../model/dictionary.ts';
import type { ScoreModel, Workspace } from '../model/workspace.ts';
import { durationMillis, type Millis } from '../model/time.ts';

/** Input to a score: the contact's traits and events at an instant. */
export interface ScoreInput extends Timeline {
  contactId: string;
  traits: Record<string, unknown>;
  now: Millis;
}

/** What a score reads of a contact at an instant. */
export function scoreInput(
  contact: Timeline & { id: string; traits: Record<string, unknown> },
  now: Millis,
): ScoreInput {
  return { contactId: contact.id, traits: contact.traits, history: contact.history, recent: contact.recent, now };
}

/** The event names a model's event rules are about, once per model. */
const namesOfModel = new WeakMap<ScoreModel, string[]>();
function eventNames(model: ScoreModel): string[] {
  let names = namesOfModel.get(model);
  if (names === undefined) {
    names = [...new Set((model.events ?? []).map((r) => r.event))];
    namesOfModel.set(model, names);
  }
  return names;
}

/** Whether a model's event points can be kept as a running sum: every `where` reads only its event. */
const runsOfModel = new WeakMap<ScoreModel, boolean>();
function runs(model: ScoreModel): boolean {
  let ok = runsOfModel.get(model);
  if (ok === undefined) {
    // Points and caps of everyday sizes only: a term of 1e300 points that underflows in one sum and not in
    // the other would be further apart than the margin allows for.
    ok =
      (model.max === undefined || Number.isFinite(model.max)) &&
      (model.events ?? []).every(
        (r) => Math.abs(r.points) <= 1e9 && (r.where === undefined || eventOnly(r.where as ConditionShape)),
      );
    runsOfModel.set(model, ok);
  }
  return ok;
}

/** A model's event rules with their `where` compiled, once per model. */
interface EventRuleOf {
  event: string;
  where: ((env: EvalEnv) => boolean) | null;
  points: number;
}
const rulesOfModel = new WeakMap<ScoreModel, EventRuleOf[]>();
function eventRules(model: ScoreModel): EventRuleOf[] {
  let rules = rulesOfModel.get(model);
  if (rules === undefined) {
    rules = (model.events ?? []).map((r) => ({
      event: r.event,
      where: r.where ? predicateFor(r.where) : null,
      points: r.points,
    }));
    rulesOfModel.set(model, rules);
  }
  return rules;
}

/**
 * `total` plus the points the model's event rules give `e` at `now` (added rule by rule, in model order).
 * A `where` is asked with `env`, whose `event` is set to `e` here: one environment per score read, not a
 * copy per event (a contact with 990 scored page views made 990 copies on every read).
 */
function addEventPoints(
  total: number,
  rules: readonly EventRuleOf[],
  e: HistoryEvent,
  env: EvalEnv & { event: { name: string; properties: Record<string, unknown> } },
  now: Millis,
  halfLife: number,
): number {
  for (const rule of rules) {
    if (rule.event !== e.name) continue;
    if (rule.where !== null) {
      env.event = { name: e.name, properties: e.properties };
      if (!rule.where(env)) continue;
    }
    total += halfLife === Infinity ? rule.points : rule.points * 0.5 ** ((now - e.at) / halfLife);
  }
  return total;
}

/** Whether a condition reads only the event it is asked about (so its answer for an event never changes). */
function eventOnly(c: ConditionShape): boolean {
  if ('all' in c) return c.all.every(eventOnly);
  if ('any' in c) return c.any.every(eventOnly);
  if ('not' in c) return eventOnly(c.not);
  return 'field' in c && c.field.startsWith('event.');
}

/** The environment a `where` that reads only its event is asked with (its `event` set per event): nothing else in it is read. */
function eventEnv(): Sums['env'] {
  return {
    contactId: '',
    traits: {},
    history: NONE,
    recent: NONE,
    now: 0,
    score: () => undefined,
    event: { name: '', properties: {} },
  };
}

/** A running sum is made again after this many additions and removals, or once its exponents pass this. */
const MAX_OPS = 1_000_000;
const MAX_EXPONENT = 500;
/** How far the running sum may be from the walk's sum, relative to the sum of magnitudes: see `RunningScore`. */
const MARGIN = 1e-6;

/**
 * The event points of one `history` array for one model, kept with the array (`Derived`) and carried from
 * fold to fold: `sum` is Σ points × 2^((at − ref) / halfLife) over its events' matching rules, so that the
 * decayed sum at `now` is `sum × 0.5^((now − ref) / halfLife)`: one power per read, not one per event.
 *
 * That product is not the walk's sum to the last bit (the walk adds one decayed term at a time, in timeline
 * order), and a score is rounded, so a sum of exactly x.5 could round the other way. So the running sum is
 * used only when it proves the walk's answer: both are within a few thousand roundoffs (2⁻⁵³) of the exact
 * sum, relative to the sum of the terms' magnitudes (`mag`, which counts every term ever added or removed,
 * so it bounds the error of every partial sum). When no rounding edge (k + 0.5) and no cap lies within
 * MARGIN (10⁻⁶, a thousand times that bound and more) of the running sum's value, the walk rounds to the
 * same integer; otherwise (2.5 points exactly, or a sum at the cap) the score is walked, as before.
 */
class RunningScore implements Derived {
  constructor(
    readonly rules: readonly EventRuleOf[],
    readonly halfLife: number,
    readonly ref: number,
    readonly sum: number,
    readonly mag: number,
    readonly ops: number,
  ) {}

  /** The running sum of `history` (indexed by `ix`), its reference instant the newest event's. */
  static of(
    rules: readonly EventRuleOf[],
    names: readonly string[],
    halfLife: number,
    history: readonly HistoryEvent[],
    ix: NameIndex,
  ): RunningScore {
    const ref = halfLife === Infinity ? 0 : history[history.length - 1]!.at;
    const acc: Sums = { sum: 0, mag: 0, ops: 0, env: eventEnv() };
    for (const name of names) {
      const seqs = ix.byName!.get(name);
      if (seqs !== undefined)
        for (let k = seqs.start; k < seqs.end; k++)
          accumulate(acc, rules, halfLife, ref, history[seqs.buf[k]! - ix.offset]!, 1);
    }
    return new RunningScore(rules, halfLife, ref, acc.sum, acc.mag, acc.ops);
  }

  carry(
    old: readonly HistoryEvent[],
    out: readonly HistoryEvent[],
    drop: number,
    firstAdded: number,
  ): RunningScore | null {
    const { rules, halfLife, ref } = this;
    const acc: Sums = { sum: this.sum, mag: this.mag, ops: this.ops, env: eventEnv() };
    for (let i = 0; i < drop && i < old.length; i++) accumulate(acc, rules, halfLife, ref, old[i]!, -1);
    for (let i = firstAdded; i < out.length; i++) accumulate(acc, rules, halfLife, ref, out[i]!, 1);
    const newest = out[out.length - 1];
    if (!Number.isFinite(acc.sum) || !Number.isFinite(acc.mag) || acc.ops > MAX_OPS) return null;
    if (newest !== undefined && halfLife !== Infinity && (newest.at - ref) / halfLife > MAX_EXPONENT) return null;
    return acc.ops === this.ops ? this : new RunningScore(rules, halfLife, ref, acc.sum, acc.mag, acc.ops);
  }
}

/** A running sum being made or carried, and the environment its `where`s are asked with. */
interface Sums {
  sum: number;
  mag: number;
  ops: number;
  env: EvalEnv & { event: { name: string; properties: Record<string, unknown> } };
}

/** Adds `e`'s points to `acc` (sign 1), or takes them out (sign -1). */
function accumulate(
  acc: Sums,
  rules: readonly EventRuleOf[],
  halfLife: number,
  ref: number,
  e: HistoryEvent,
  sign: 1 | -1,
): void {
  for (const rule of rules) {
    if (rule.event !== e.name) continue;
    if (rule.where !== null) {
      acc.env.event = { name: e.name, properties: e.properties };
      if (!rule.where(acc.env)) continue;
    }
    const term = halfLife === Infinity ? rule.points : rule.points * 2 ** ((e.at - ref) / halfLife);
    acc.sum += sign * term;
    acc.mag += Math.abs(term);
    acc.ops++;
  }
}

/**
 * The score from the running sum of `history`, or undefined when it cannot prove the walk's answer (then the
 * caller walks). `total` is the rule points; `recent`'s events are added here one by one.
 */
function fromRunningSum(
  model: ScoreModel,
  running: RunningScore,
  total: number,
  recent: readonly HistoryEvent[],
  env: EvalEnv & { event: { name: string; properties: Record<string, unknown> } },
  now: Millis,
): number | undefined {
  const { halfLife, rules } = running;
  const factor = halfLife === Infinity ? 1 : 0.5 ** ((now - running.ref) / halfLife);
  let value = total + factor * running.sum;
  let mag = Math.abs(total) + factor * running.mag;
  for (const e of recent) {
    if (e.at > now) continue;
    for (const rule of rules) {
      if (rule.event !== e.name) continue;
      if (rule.where !== null) {
        env.event = { name: e.name, properties: e.properties };
        if (!rule.where(env)) continue;
      }
      const term = halfLife === Infinity ? rule.points : rule.points * 0.5 ** ((now - e.at) / halfLife);
      value += term;
      mag += Math.abs(term);
    }
  }
  // Tiny or huge magnitudes (subnormal terms, a read long after the reference instant) are walked.
  if (!(factor > 1e-250) || !(mag > 1e-200) || !Number.isFinite(value) || !Number.isFinite(mag)) return undefined;
  const lo = value - MARGIN * mag;
  const hi = value + MARGIN * mag;
  if (model.max !== undefined) {
    if (lo >= model.max) return Math.round(model.max);
    if (hi >= model.max) return undefined;
  }
  const rounded = Math.round(lo);
  return Object.is(rounded, Math.round(hi)) ? rounded : undefined;
}

/** What a score's own conditions read for `score.x`: a score never reads another score. */
const noScore = (): undefined => undefined;

/**
 * A contact's value of one score model: rule points plus half-life-decayed event points, capped at max,
 * rounded. The older part's points come from its running sum when that proves the answer (`RunningScore`);
 * otherwise events are added oldest first, as a walk of the whole timeline would (so the sum is the same
 * to the last bit), but `history` is read through its name index: only the events of the model's names.
 */
export function computeScore(model: ScoreModel, input: ScoreInput): number {
  // The fields named, not spread: the spread was half of a score's time in a population run, and naming
  // them made the whole run 1.10× faster (issue #17, docs/BENCHMARKS.md).
  const env = {
    contactId: input.contactId,
    traits: input.traits,
    history: input.history,
    recent: input.recent,
    now: input.now,
    score: noScore,
    event: undefined as unknown as { name: string; properties: Record<string, unknown> },
  };
  const now = input.now;
  let total = 0;
  for (const rule of model.rules ?? []) if (predicateFor(rule.when)(env)) total += rule.points;
  if (model.events && model.events.length > 0) {
    const rules = eventRules(model);
    const halfLife = model.halfLife ? durationMillis(model.halfLife) : Infinity;
    const { history } = input;
    const ix = nameIndex(history);
    if (ix !== null && ix.last!.at <= now && halfLife > 0 && runs(model)) {
      let running = ix.derived.get(model) as RunningScore | undefined;
      if (running === undefined) {
        running = RunningScore.of(rules, eventNames(model), halfLife, history, ix);
        ix.derived.set(model, running);
      }
      const value = fromRunningSum(model, running, total, input.recent ?? NONE, env, now);
      if (value !== undefined) return value;
    }
    if (ix === null) {
      for (const e of history) if (e.at <= now) total = addEventPoints(total, rules, e, env, now, halfLife);
    } else {
      // The model's names' lists, merged by position: the events in timeline order.
      const lists: Seqs[] = [];
      const next: number[] = [];
      for (const name of eventNames(model)) {
        const seqs = ix.byName!.get(name);
        if (seqs !== undefined) {
          lists.push(seqs);
          next.push(seqs.start);
        }
      }
      for (;;) {
        let pick = -1;
        for (let l = 0; l < lists.length; l++)
          if (next[l]! < lists[l]!.end && (pick < 0 || lists[l]!.buf[next[l]!]! < lists[pick]!.buf[next[pick]!]!))
            pick = l;
        if (pick < 0) break;
        const e = history[lists[pick]!.buf[next[pick]!]! - ix.offset]!;
        next[pick]!++;
        if (e.at <= now) total = addEventPoints(total, rules, e, env, now, halfLife);
      }
    }
    for (const e of input.recent ?? NONE) if (e.at <= now) total = addEventPoints(total, rules, e, env, now, halfLife);
  }
  if (model.max !== undefined) total = Math.min(total, model.max);
  return Math.round(total);
}

/** A lazy, memoised score reader for one evaluation: each model is computed at most once. */
export function scoreReader(workspace: Workspace, input: ScoreInput): (name: string) => number | undefined {
  let memo: Map<string, number> | undefined;
  return (name) => {
    const cached = memo?.get(name);
    if (cached !== undefined) return cached;
    const model = own(workspace.scores, name);
    if (model === undefined) return undefined;
    const value = computeScore(model, input);
    (memo ??= new Map()).set(name, value);
    return value;
  };
}

/** Every score of a contact at an instant, by model name. */
export function allScores(workspace: Workspace, input: ScoreInput): Record<string, number> {
  const out = dictionary<number>();
  for (const [name, model] of Object.entries(workspace.scores)) out[name] = computeScore(model, input);
  return out;
}
