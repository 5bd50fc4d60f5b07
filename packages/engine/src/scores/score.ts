import type { EvalEnv } from '../conditions/env.ts';
import { NONE, type Timeline } from '../conditions/timeline.ts';
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

/** A contact's value of one score model: rule points plus half-life-decayed event points, capped at max, rounded. */
export function computeScore(model: ScoreModel, input: ScoreInput): number {
  const env: EvalEnv = { ...input, score: () => undefined };
  let total = 0;
  for (const rule of model.rules ?? []) if (predicateFor(rule.when)(env)) total += rule.points;
  if (model.events && model.events.length > 0) {
    const halfLife = model.halfLife ? durationMillis(model.halfLife) : Infinity;
    for (const events of [input.history, input.recent ?? NONE]) {
      for (const e of events) {
        if (e.at > input.now) continue;
        for (const rule of model.events) {
          if (rule.event !== e.name) continue;
          if (rule.where && !predicateFor(rule.where)({ ...env, event: { name: e.name, properties: e.properties } }))
            continue;
          total += halfLife === Infinity ? rule.points : rule.points * 0.5 ** ((input.now - e.at) / halfLife);
        }
      }
    }
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
