import { predicateFor } from '../conditions/cache.ts';
import type { EvalEnv } from '../conditions/env.ts';
import { readField } from '../conditions/env.ts';
import type { ConditionShape } from '../model/condition.ts';
import type { RouteTarget } from '../model/target.ts';
import { sharedText } from '../model/intern.ts';
import { unavailability } from './availability.ts';
import type { DeskState, RoutingView } from './desk.ts';
import { pickFromQueue } from './strategies.ts';

/** Where routing ended: a rep (or none, waiting in a queue), with every decision in words. */
export interface RoutingResult {
  assignee: string | null;
  /** The queue the handoff belongs to: the one that assigned it, or where it waits unassigned. */
  queue: string | null;
  trace: string[];
  desk: DeskState;
}

interface TargetResult {
  rep: string | null;
  queue: string | null;
  words: string;
  desk: DeskState;
}

/** Resolves one target to an available rep, or to nothing with the reason. */
export function resolveTarget(
  view: RoutingView,
  target: RouteTarget,
  env: EvalEnv,
  exclude?: ReadonlySet<string>,
): TargetResult {
  const options = exclude ? { exclude } : {};
  if ('rep' in target) {
    const why = unavailability(view, target.rep, options);
    return {
      rep: why ? null : target.rep,
      queue: null,
      words: why ? `rep ${target.rep} unavailable (${why})` : `rep ${target.rep}`,
      desk: view.desk,
    };
  }
  if ('owner' in target) {
    const owner = readField(env, target.owner.split('.'));
    if (typeof owner !== 'string' || owner === '')
      return { rep: null, queue: null, words: `owner: ${target.owner} is not set`, desk: view.desk };
    const why = unavailability(view, owner, options);
    return {
      rep: why ? null : owner,
      queue: null,
      words: why ? `owner: ${owner} unavailable (${why})` : `owner: ${owner}`,
      desk: view.desk,
    };
  }
  const queue = view.team.queues.find((q) => q.id === target.queue);
  if (!queue) return { rep: null, queue: null, words: `queue ${target.queue}: not in the team`, desk: view.desk };
  const pick = pickFromQueue(view, queue, exclude);
  const desk = pick.rep ? { ...view.desk, cursors: { ...view.desk.cursors, [queue.id]: pick.cursor } } : view.desk;
  return {
    rep: pick.rep,
    queue: queue.id,
    words: `queue ${queue.id}: ${pick.rep ? `${pick.rep} (${pick.how})` : pick.how}`,
    desk,
  };
}

/** One target tried: its line added to the trace; the result if it found a rep. */
function attempt(
  view: RoutingView,
  target: RouteTarget,
  label: string,
  env: EvalEnv,
  exclude: ReadonlySet<string> | undefined,
  trace: string[],
): RoutingResult | null {
  const r = resolveTarget(view, target, env, exclude);
  trace.push(sharedText(label, ' ', r.words));
  return r.rep ? { assignee: r.rep, queue: r.queue, trace, desk: r.desk } : null;
}

/**
 * Routes a handoff (SPEC §5): rules in order, each whose `when` holds resolved to an available rep; then
 * the fallback; else unassigned in the last queue named. Pure: the next desk state is returned.
 */
export function routeHandoff(
  view: RoutingView,
  rules: readonly { when?: ConditionShape | undefined; to: RouteTarget }[],
  fallback: RouteTarget | undefined,
  env: EvalEnv,
  exclude?: ReadonlySet<string>,
): RoutingResult {
  const trace: string[] = [];
  let lastQueue: string | null = null;
  for (const [i, rule] of rules.entries()) {
    if (rule.when && !predicateFor(rule.when)(env)) {
      trace.push(`rule ${i + 1}: condition does not hold`);
      continue;
    }
    const hit = attempt(view, rule.to, `rule ${i + 1}`, env, exclude, trace);
    if (hit) return hit;
    if ('queue' in rule.to) lastQueue = rule.to.queue;
  }
  if (fallback) {
    const hit = attempt(view, fallback, 'fallback', env, exclude, trace);
    if (hit) return hit;
    if ('queue' in fallback) lastQueue = fallback.queue;
  }
  trace.push(
    lastQueue ? `unassigned: waits in queue ${lastQueue}` : 'unassigned: no queue named, waits for its targets',
  );
  return { assignee: null, queue: lastQueue, trace, desk: view.desk };
}
