// The count rules and scores as they were computed before the timeline had a name index: by walking
// every event of the timeline on every read. The index's property tests hold the engine to these.
import { eventsOf, type EvalEnv, type Predicate, type ScoreModel } from '../../src/internal.ts';
import type { ScoreInput } from '../../src/scores/score.ts';
import type { EventRule } from '../../src/model/condition.ts';
import { predicateFor } from '../../src/conditions/cache.ts';
import { durationMillis, subtractDuration } from '../../src/model/time.ts';

/** Counts the contact's events that an event rule selects, newest first, until the window's start. */
export function countByWalking(rule: EventRule, where: Predicate | null, env: EvalEnv): number {
  const since = rule.within ? subtractDuration(env.now, rule.within) : -Infinity;
  const events = eventsOf(env);
  let count = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.at < since) return count;
    if (e.at > env.now || e.name !== rule.event) continue;
    if (where && !where({ ...env, event: { name: e.name, properties: e.properties } })) continue;
    count++;
  }
  return count;
}

/** A score model's value: rule points plus half-life-decayed event points, capped at max, rounded. */
export function scoreByWalking(model: ScoreModel, input: ScoreInput): number {
  const env: EvalEnv = { ...input, score: () => undefined };
  let total = 0;
  for (const rule of model.rules ?? []) if (predicateFor(rule.when)(env)) total += rule.points;
  if (model.events && model.events.length > 0) {
    const halfLife = model.halfLife ? durationMillis(model.halfLife) : Infinity;
    for (const e of eventsOf(input)) {
      if (e.at > input.now) continue;
      for (const rule of model.events) {
        if (rule.event !== e.name) continue;
        if (rule.where && !predicateFor(rule.where)({ ...env, event: { name: e.name, properties: e.properties } }))
          continue;
        total += halfLife === Infinity ? rule.points : rule.points * 0.5 ** ((input.now - e.at) / halfLife);
      }
    }
  }
  if (model.max !== undefined) total = Math.min(total, model.max);
  return Math.round(total);
}
