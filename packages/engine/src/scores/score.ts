import type { EvalEnv } from '../conditions/env.ts';
import { NONE, nameIndex, type HistoryEvent, type Seqs, type Timeline } from '../conditions/timeline.ts';
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

/**
 * A contact's value of one score model: rule points plus half-life-decayed event points, capped at max,
 * rounded. Events are added oldest first, as a walk of the whole timeline would (so the sum is the same
 * to the last bit), but `history` is read through its name index: only the events of the model's names.
 */
export function computeScore(model: ScoreModel, input: ScoreInput): number {
  const env = {
    ...input,
    score: () => undefined,
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
