import { own } from '../model/dictionary.ts';
import type { HandoffNode } from '../nodes/handoff.ts';
import { routeHandoff, resolveTarget } from '../routing/route.ts';
import type { RouteTarget } from '../model/target.ts';
import type { RoutingView } from '../routing/desk.ts';
import { effectiveRep } from '../routing/desk.ts';
import { pickFromQueue } from '../routing/strategies.ts';
import { businessDeadline, nextOpening } from '../team/businessTime.ts';
import { formatInstant } from '../model/time.ts';
import type { Draft } from '../step/draft.ts';
import { BatonError } from '../model/errors.ts';
import type { HandoffRecord } from '../state/records.ts';
import type { StepContext } from '../step/context.ts';

/** The routing view of a step: the stored loads plus what this step changed for the contact. */
export function routingView(draft: Draft, ctx: StepContext): RoutingView {
  if (!ctx.team || !ctx.routing)
    throw new BatonError('no_team', 'handoffs need a team: give the runtime (or baton simulate --team) a team file');
  const delta = new Map<string, number>();
  countOpen(delta, draft.base.handoffs ?? [], -1);
  countOpen(delta, draft.handoffs, 1);
  const { loads } = ctx.routing;
  return {
    team: ctx.team,
    desk: draft.desk ?? ctx.routing.desk,
    now: draft.now,
    load: (rep) => (own(loads, rep) ?? 0) + (delta.get(rep) ?? 0),
  };
}

/**
 * Adds `sign` per open handoff in `list` to its assignee's count. (A function of the module, not a closure
 * made per call: tsx, which runs the checkout and its benches, names such a closure on every call.)
 */
function countOpen(delta: Map<string, number>, list: readonly HandoffRecord[], sign: number): void {
  for (const h of list)
    if (h.status === 'open' && h.assignee) delta.set(h.assignee, (delta.get(h.assignee) ?? 0) + sign);
}

/** The handoff node a handoff came from. */
export function nodeOf(ctx: StepContext, h: HandoffRecord): HandoffNode {
  const node = ctx.catalog.get(h.journeyId, h.version)?.nodes.get(h.node);
  if (node?.type !== 'handoff')
    throw new Error(`handoff ${h.id} points at ${h.journeyId}/${h.node}, which is not a handoff node`);
  return node;
}

const withoutSla = (draft: Draft, h: HandoffRecord) =>
  draft.removeTimers((t) => t.handoffId === h.id && (t.timer === 'sla' || t.timer === 'assign'));

/** Gives a handoff to a rep: the SLA clock starts in the rep's calendar, unless it already breached. */
export function assignTo(
  draft: Draft,
  ctx: StepContext,
  h: HandoffRecord,
  rep: string,
  queue: string | null,
  trace: string[],
): HandoffRecord {
  withoutSla(draft, h);
  const node = nodeOf(ctx, h);
  const repRecord = ctx.team?.reps.find((r) => r.id === rep);
  const calendar = repRecord?.calendar && ctx.team ? own(ctx.team.calendars, repRecord.calendar) : undefined;
  const clock = node.sla && !h.breached && h.acceptedAt === null;
  const dueAt = clock ? businessDeadline(calendar, draft.now, node.sla!.firstTouch) : h.dueAt;
  const next: HandoffRecord = {
    ...h,
    assignee: rep,
    queue: queue ?? (h.escalating ? h.queue : null),
    assignedAt: draft.now,
    dueAt,
    trace: [...h.trace, ...trace],
    ...(h.escalating ? { escalatedTo: rep, escalating: false } : {}),
  };
  if (clock && dueAt !== null) {
    draft.addTimer({
      id: draft.ids.next('tmr', h.contactId),
      contactId: h.contactId,
      journeyId: h.journeyId,
      run: h.run,
      node: h.node,
      timer: 'sla',
      dueAt,
      handoffId: h.id,
    });
  }
  draft.putHandoff(next);
  // Every assignment commits the routing desk, even when no cursor moved: a rep's load is read from the
  // desk's version, so two steps (or processes) can never both give a rep their last free place.
  if (draft.desk === null && ctx.routing) draft.desk = ctx.routing.desk;
  if (h.escalating)
    draft.emitSystem('Handoff Escalated', { handoff: h.id, journey: h.journeyId, node: h.node, rep, from: h.assignee });
  // `fromQueue`: the queue it waited in, unassigned, until now; its other members' inboxes drop it.
  const waited = h.assignee === null && h.wasUnassigned === true && h.queue !== null;
  draft.emitSystem('Handoff Assigned', {
    handoff: h.id,
    journey: h.journeyId,
    node: h.node,
    rep,
    queue: next.queue,
    dueAt: dueAt === null ? null : formatInstant(dueAt),
    ...(waited ? { fromQueue: h.queue } : {}),
  });
  return next;
}

/** Leaves a handoff waiting in a queue; it is assigned when a member becomes available (or their hours begin). */
export function leaveUnassigned(
  draft: Draft,
  ctx: StepContext,
  h: HandoffRecord,
  queue: string | null,
  trace: string[],
): HandoffRecord {
  withoutSla(draft, h);
  const next: HandoffRecord = { ...h, assignee: null, queue, wasUnassigned: true, trace: [...h.trace, ...trace] };
  draft.putHandoff(next);
  draft.emitSystem('Handoff Unassigned', { handoff: h.id, journey: h.journeyId, node: h.node, queue });
  scheduleRetryAtOpening(draft, ctx, next);
  return next;
}

/**
 * In a queue that respects hours, nobody may be free until someone's hours begin: wake up then and try
 * again (other queues retry when a rep frees up, which the runtime sees).
 */
export function scheduleRetryAtOpening(draft: Draft, ctx: StepContext, h: HandoffRecord): void {
  const q = h.queue ? ctx.team?.queues.find((x) => x.id === h.queue) : undefined;
  if (!q?.respectHours || !ctx.team) return;
  const view = routingView(draft, ctx);
  const openings = q.members.map((m) => {
    const rep = effectiveRep(view, m);
    return nextOpening(rep?.calendar ? own(ctx.team!.calendars, rep.calendar) : undefined, draft.now + 1);
  });
  const at = Math.min(...openings);
  if (Number.isFinite(at))
    draft.addTimer({
      id: draft.ids.next('tmr', h.contactId),
      contactId: h.contactId,
      journeyId: h.journeyId,
      run: h.run,
      node: h.node,
      timer: 'assign',
      dueAt: at,
      handoffId: h.id,
    });
}

/** Routes a handoff through its node's rules and fallback, skipping reps who rejected it. */
export function routeAndAssign(draft: Draft, ctx: StepContext, h: HandoffRecord): HandoffRecord {
  const node = nodeOf(ctx, h);
  const view = routingView(draft, ctx);
  const exclude = new Set(h.rejectedBy.map((r) => r.rep));
  const result = routeHandoff(view, node.route, node.fallback, draft.env(), exclude);
  if (result.desk !== view.desk) draft.desk = result.desk;
  return result.assignee
    ? assignTo(draft, ctx, h, result.assignee, result.queue, result.trace)
    : leaveUnassigned(draft, ctx, h, result.queue, result.trace);
}

/** Routes a handoff to one target (the SLA escalation), waiting in its queue when nobody is available. */
export function routeToTarget(
  draft: Draft,
  ctx: StepContext,
  h: HandoffRecord,
  target: RouteTarget,
  label: string,
): HandoffRecord {
  const view = routingView(draft, ctx);
  const r = resolveTarget(view, target, draft.env(), new Set(h.rejectedBy.map((x) => x.rep)));
  if (r.desk !== view.desk) draft.desk = r.desk;
  const marked = { ...h, escalating: true };
  if (r.rep) return assignTo(draft, ctx, marked, r.rep, r.queue ?? h.queue, [`${label} ${r.words}`]);
  return leaveUnassigned(draft, ctx, marked, 'queue' in target ? target.queue : null, [`${label} ${r.words}`]);
}

/** Tries once more to assign a waiting handoff: from its queue when it has one, else through its rules. */
export function retryAssignment(draft: Draft, ctx: StepContext, h: HandoffRecord): HandoffRecord {
  const queue = h.queue ? ctx.team?.queues.find((q) => q.id === h.queue) : undefined;
  if (!queue) {
    if (!h.escalating) return routeAndAssign(draft, ctx, h);
    // Waiting for an escalation rep: give it to them once they are available, quietly until then.
    const target = nodeOf(ctx, h).sla?.escalate;
    const view = routingView(draft, ctx);
    const r = target ? resolveTarget(view, target, draft.env(), new Set(h.rejectedBy.map((x) => x.rep))) : null;
    return r?.rep ? assignTo(draft, ctx, h, r.rep, r.queue, [`escalation ${r.words} once available`]) : h;
  }
  const view = routingView(draft, ctx);
  const pick = pickFromQueue(view, queue, new Set(h.rejectedBy.map((r) => r.rep)));
  if (!pick.rep) return h;
  draft.desk = { ...view.desk, cursors: { ...view.desk.cursors, [queue.id]: pick.cursor } };
  return assignTo(draft, ctx, h, pick.rep, queue.id, [`queue ${queue.id}: ${pick.rep} (${pick.how}) once available`]);
}
