import type { CompiledJourney } from '../compile/compileJourney.ts';
import type { Draft } from '../step/draft.ts';
import { drive } from '../step/drive.ts';
import { formatInstant } from '../model/time.ts';
import { BatonError } from '../model/errors.ts';
import type { HandoffRecord, InstanceRecord, TimerRecord } from '../state/records.ts';
import type { HandoffRef, HumanAction, StepContext } from '../step/context.ts';
import { assignTo, nodeOf, retryAssignment, routeAndAssign, routeToTarget, scheduleRetryAtOpening } from './assign.ts';
import { release } from './engagement.ts';

/** The open handoff a reference names, or a clear refusal. */
export function findOpen(draft: Draft, ref: HandoffRef): HandoffRecord {
  let h: HandoffRecord | undefined;
  if ('handoff' in ref) {
    h = draft.handoffs.find((x) => x.id === ref.handoff && x.status === 'open');
    if (!h) throw new BatonError('handoff_not_open', `handoff ${ref.handoff} is not open`);
  } else {
    const inst = draft.instance(ref.journey);
    h = draft.handoffs.find(
      (x) => x.status === 'open' && x.journeyId === ref.journey && x.node === ref.node && x.run === inst?.run,
    );
    if (!h)
      throw new BatonError(
        'handoff_not_open',
        `no open handoff for contact ${ref.userId} in journey ${ref.journey} at node ${ref.node}`,
      );
  }
  if (ref.rep !== undefined && h.assignee !== ref.rep) {
    throw new BatonError(
      'not_assignee',
      `handoff ${h.id} is assigned to ${h.assignee ?? 'nobody yet'}, not ${ref.rep}`,
    );
  }
  return h;
}

/** Closes a handoff with an outcome; journeys paused by it resume. */
export function closeHandoff(
  draft: Draft,
  ctx: StepContext,
  h: HandoffRecord,
  outcome: string,
  value: number | null = null,
): HandoffRecord {
  draft.removeTimers((t) => t.handoffId === h.id);
  const closed: HandoffRecord = { ...h, status: 'closed', outcome, value, closedAt: draft.now, escalating: false };
  draft.putHandoff(closed);
  draft.emitSystem('Handoff Closed', {
    handoff: h.id,
    journey: h.journeyId,
    node: h.node,
    outcome,
    ...(value !== null ? { value } : {}),
    rep: h.assignee,
    ...(h.assignee === null ? { queue: h.queue } : {}), // closed while waiting in a queue
  });
  release(draft, ctx);
  return closed;
}

/** The first touch: the SLA clock stops. */
export function acceptHandoff(draft: Draft, _ctx: StepContext, ref: HandoffRef): void {
  const h = findOpen(draft, ref);
  if (h.assignee === null)
    throw new BatonError(
      'not_assigned',
      `handoff ${h.id} is waiting unassigned in ${h.queue ?? 'no queue'}; it cannot be accepted yet`,
    );
  if (h.acceptedAt !== null) throw new BatonError('already_accepted', `handoff ${h.id} was already accepted`);
  draft.removeTimers((t) => t.handoffId === h.id && t.timer === 'sla');
  draft.putHandoff({ ...h, acceptedAt: draft.now });
  draft.emitSystem('Handoff Accepted', { handoff: h.id, journey: h.journeyId, node: h.node, rep: h.assignee });
}

/** A human logs an outcome: the handoff closes and the journey moves to the node the outcome maps to. */
export function logOutcome(
  draft: Draft,
  ctx: StepContext,
  ref: HandoffRef & { outcome: string; value?: number | undefined },
): void {
  const h = findOpen(draft, ref);
  if (!h.outcomes.includes(ref.outcome)) {
    throw new BatonError(
      'outcome_not_declared',
      `outcome "${ref.outcome}" is not one of the outcomes of ${h.journeyId}/${h.node}: ${h.outcomes.join(', ')}`,
    );
  }
  closeHandoff(draft, ctx, h, ref.outcome, ref.value ?? null);
  const inst = draft.instance(h.journeyId);
  const compiled = ctx.catalog.get(h.journeyId, h.version);
  if (inst && compiled && inst.status !== 'exited' && inst.run === h.run && inst.node === h.node) {
    // A paused journey still moves on: the human's outcome is the event it waits for.
    const moving = inst.status === 'paused' ? { ...inst, status: 'active' as const } : inst;
    drive(draft, ctx, compiled, moving, 'baton.outcome', ref.outcome);
  }
}

/** A rep turns a handoff down: it is routed again, never to anyone who rejected it. */
export function rejectHandoff(draft: Draft, ctx: StepContext, ref: HandoffRef & { reason?: string | undefined }): void {
  const h = findOpen(draft, ref);
  if (h.assignee === null)
    throw new BatonError('not_assigned', `handoff ${h.id} is not assigned to anyone, so nobody can reject it`);
  const rejected: HandoffRecord = {
    ...h,
    rejectedBy: [...h.rejectedBy, { rep: h.assignee, reason: ref.reason ?? null, at: draft.now }],
    acceptedAt: null,
  };
  draft.putHandoff(rejected);
  draft.emitSystem('Handoff Rejected', {
    handoff: h.id,
    journey: h.journeyId,
    node: h.node,
    rep: h.assignee,
    reason: ref.reason ?? null,
  });
  routeAndAssign(draft, ctx, rejected);
}

/**
 * A person moves a handoff to a rep (an admin reassigning, or a rep claiming unassigned work of their queue).
 * It is assigned as if routed there: the first-touch clock starts again for the new rep unless it already
 * breached, and the previous assignee is freed.
 */
export function reassignHandoff(
  draft: Draft,
  ctx: StepContext,
  ref: HandoffRef & { to: string; by: string; claim?: boolean | undefined },
): void {
  const h = findOpen(draft, ref);
  const rep = ctx.team?.reps.find((r) => r.id === ref.to);
  if (!rep) throw new BatonError('unknown_rep', `rep ${ref.to} is not in the team`);
  // A claim takes unassigned work only: judged inside the step, on the state it commits against, so of two
  // reps claiming at once (on two processes) the second finds it taken, whatever either read before.
  if (ref.claim && h.assignee !== null)
    throw new BatonError(
      'conflict',
      `handoff ${h.id} is already assigned to ${h.assignee === ref.to ? 'you' : 'someone else'}`,
    );
  if (h.assignee === ref.to) throw new BatonError('conflict', `handoff ${h.id} is already assigned to ${ref.to}`);
  const moved = assignTo(draft, ctx, { ...h, acceptedAt: null, escalating: false }, ref.to, h.queue, [
    `reassigned to ${ref.to} by ${ref.by}`,
  ]);
  draft.emitSystem('Handoff Reassigned', {
    handoff: h.id,
    journey: h.journeyId,
    node: h.node,
    rep: ref.to,
    from: h.assignee,
    by: ref.by,
    queue: moved.queue,
  });
}

/** Assigns a waiting handoff if someone is available now; false when it still waits. */
export function assignWaiting(draft: Draft, ctx: StepContext, handoffId: string): boolean {
  const h = draft.handoffs.find((x) => x.id === handoffId);
  if (h?.status !== 'open' || h.assignee !== null) return false;
  return retryAssignment(draft, ctx, h).assignee !== null;
}

/** An SLA deadline passed before the first touch: breach once, and escalate when the node says so. */
function breach(draft: Draft, ctx: StepContext, h: HandoffRecord): void {
  if (h.status !== 'open' || h.acceptedAt !== null || h.breached || h.assignee === null) return;
  const breached: HandoffRecord = { ...h, breached: true };
  draft.putHandoff(breached);
  draft.emitSystem('Handoff SLA Breached', {
    handoff: h.id,
    journey: h.journeyId,
    node: h.node,
    rep: h.assignee,
    dueAt: h.dueAt === null ? null : formatInstant(h.dueAt),
  });
  const escalate = nodeOf(ctx, h).sla?.escalate;
  if (escalate) routeToTarget(draft, ctx, breached, escalate, 'escalation');
}

/** Fires a timer that belongs to a handoff: the SLA deadline, or a retry when hours begin. */
export function fireHandoffTimer(draft: Draft, ctx: StepContext, timer: TimerRecord): void {
  const h = draft.handoffs.find((x) => x.id === timer.handoffId);
  if (h?.status !== 'open') return;
  if (timer.timer === 'sla') breach(draft, ctx, h);
  else if (timer.timer === 'assign' && h.assignee === null && retryAssignment(draft, ctx, h).assignee === null) {
    scheduleRetryAtOpening(draft, ctx, h);
  }
}

/** The `baton.expireHandoff` action: the handoff's time ran out, it closes as expired. */
export function expireHandoff(
  draft: Draft,
  inst: InstanceRecord,
  p: { node: string },
  _compiled: CompiledJourney,
  ctx: StepContext,
): void {
  const h = draft.handoffs.find(
    (x) => x.status === 'open' && x.journeyId === inst.journeyId && x.run === inst.run && x.node === p.node,
  );
  if (h) closeHandoff(draft, ctx, h, 'expired');
}

/** Carries out a person's action on a handoff of the contact (the step's entry for human actions). */
export function actOnHandoff(draft: Draft, ctx: StepContext, action: HumanAction): void {
  switch (action.type) {
    case 'accept':
      return acceptHandoff(draft, ctx, action.ref);
    case 'reject':
      return rejectHandoff(draft, ctx, { ...action.ref, reason: action.reason });
    case 'outcome':
      return logOutcome(draft, ctx, { ...action.ref, outcome: action.outcome, value: action.value });
    case 'reassign':
      return reassignHandoff(draft, ctx, { ...action.ref, to: action.to, by: action.by, claim: action.claim });
    case 'assignWaiting':
      assignWaiting(draft, ctx, action.handoff);
  }
}
