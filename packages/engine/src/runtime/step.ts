import { predicateFor } from '../conditions/cache.ts';
import { explainCondition } from '../conditions/explain.ts';
import { exactly } from '../model/exact.ts';
import type { Millis } from '../model/time.ts';
import { addDuration } from '../model/time.ts';
import { kindOf } from '../nodes/registry.ts';
import { Draft } from '../step/draft.ts';
import type { StepContext, StepInput, StepResult } from '../step/context.ts';
import { CONTACT_UPDATED } from '../state/records.ts';
import { initialSnapshot } from '../step/machine.ts';
import { drive, exitInstance } from '../step/drive.ts';
import { actOnHandoff, fireHandoffTimer } from '../handoff/lifecycle.ts';
import { knownContact } from './identity.ts';
import type { ContactState, InstanceRecord, TimerRecord } from '../state/records.ts';

function checkExitWhen(draft: Draft, ctx: StepContext) {
  for (const inst of draft.instances) {
    if (inst.status === 'exited') continue;
    const compiled = ctx.catalog.get(inst.journeyId, inst.version);
    const rule = compiled?.journey.exitWhen.find((r) => predicateFor(r.when)(draft.env()));
    if (rule) exitInstance(draft, inst, rule.outcome);
  }
}

function reentryAllows(reentry: string, previous: InstanceRecord, now: Millis): boolean {
  if (reentry === 'never') return false;
  if (reentry === 'after_exit') return true;
  return addDuration(previous.enteredAt, reentry) <= now;
}

function enterJourneys(draft: Draft, ctx: StepContext, eventName: string) {
  for (const { version, compiled } of ctx.catalog.live()) {
    const { journey } = compiled;
    if (journey.trigger.event !== eventName) continue;
    const previous = draft.instance(journey.id);
    if (previous && (previous.status !== 'exited' || !reentryAllows(journey.reentry, previous, draft.now))) continue;
    if (journey.trigger.when && !predicateFor(journey.trigger.when)(draft.env())) continue;
    const inst: InstanceRecord = {
      journeyId: journey.id,
      version,
      run: (previous?.run ?? 0) + 1,
      status: 'active',
      snapshot: initialSnapshot(compiled),
      node: null,
      path: [],
      messages: [],
      decisions: [],
      enteredAt: draft.now,
      exitedAt: null,
      outcome: null,
      // Every field from the start, though unset: V8 gives a copy (`{ ...inst }`) that later gains a
      // field a map of its own, one per contact (a fifth of a waiting contact's heap).
      pausedAt: undefined,
      nodeAt: undefined,
    };
    if (journey.trigger.when)
      inst.decisions = [
        {
          node: '$trigger',
          label: 'entered',
          reasons: exactly(explainCondition(journey.trigger.when, draft.env())),
          at: draft.now,
        },
      ];
    const engaged = draft.engaged(journey.id);
    if (engaged && journey.whileHumanEngaged === 'exit') continue;
    draft.journal.push({
      kind: 'entered',
      journeyId: journey.id,
      version,
      contactId: draft.contact.id,
      run: inst.run,
      at: draft.now,
    });
    draft.emit('Journey Entered', { journey: journey.id, version, run: inst.run });
    // While a human works with the contact, a journey that pauses enters paused, before its first node.
    if (engaged && journey.whileHumanEngaged === 'pause') draft.update({ ...inst, status: 'paused' });
    else drive(draft, ctx, compiled, inst, 'baton.enter');
  }
}

/** Hands an event to every running instance whose current node listens for it. */
export function deliver(draft: Draft, ctx: StepContext, eventName: string): void {
  for (const inst of draft.instances) {
    if (inst.status !== 'active' || inst.node === null) continue;
    const compiled = ctx.catalog.get(inst.journeyId, inst.version);
    const node = compiled?.nodes.get(inst.node);
    if (compiled && node && kindOf(node.type)!.listens(node, eventName, draft.env()))
      drive(draft, ctx, compiled, inst, eventName);
  }
}

function fireTimer(draft: Draft, ctx: StepContext, timer: TimerRecord) {
  if (!draft.timers.some((t) => t.id === timer.id && !t.held)) return; // cancelled or already fired
  if (timer.handoffId) {
    draft.removeTimers((t) => t.id === timer.id);
    fireHandoffTimer(draft, ctx, timer);
    return;
  }
  const inst = draft.instance(timer.journeyId);
  if (inst?.status === 'paused' && inst.run === timer.run && inst.node === timer.node) {
    // A human is engaged: the timer waits and fires when the journey resumes.
    draft.timers = draft.timers.map((t) => (t.id === timer.id ? { ...t, held: true } : t));
    return;
  }
  draft.removeTimers((t) => t.id === timer.id);
  if (!inst || inst.run !== timer.run || inst.status !== 'active' || inst.node !== timer.node) return;
  const compiled = ctx.catalog.get(inst.journeyId, inst.version);
  if (compiled) drive(draft, ctx, compiled, inst, `baton.timer.${timer.timer}`);
}

/**
 * The engine's step function: the next state of one contact after one input, and the effects to carry out.
 * Pure: it reads no clock, does no IO, and leaves `prev` untouched.
 */
export function stepContact(prev: ContactState, input: StepInput, ctx: StepContext): StepResult {
  const event =
    input.kind === 'track'
      ? { name: input.name, properties: input.properties }
      : input.kind === 'identify'
        ? { name: CONTACT_UPDATED, properties: input.traits }
        : undefined;
  // A userId that was an anonymous profile's id makes it a known contact.
  const draft = new Draft(
    prev.contact.anonymous && event ? knownContact(prev) : prev,
    ctx.now,
    ctx.workspace,
    ctx.ids,
    event,
  );
  if (input.kind === 'timer') {
    fireTimer(draft, ctx, input.timer);
  } else if (input.kind === 'human') {
    actOnHandoff(draft, ctx, input.action);
  } else {
    if (input.kind === 'identify') draft.setTraits(input.traits);
    draft.record({ name: event!.name, at: Math.min(input.at, ctx.now), properties: event!.properties });
    checkExitWhen(draft, ctx);
    deliver(draft, ctx, event!.name);
    enterJourneys(draft, ctx, event!.name);
  }
  return finishStep(draft, ctx);
}

/**
 * Ends a step: system events (the handoff life cycle) go onto the timeline and to journeys that wait for
 * them, then exitWhen is checked once more.
 */
export function finishStep(draft: Draft, ctx: StepContext): StepResult {
  if (draft.systemEvents.length > 0) {
    const original = draft.event;
    for (let i = 0; i < draft.systemEvents.length; i++) {
      const e = draft.systemEvents[i]!;
      draft.record({ name: e.name, at: draft.now, properties: e.properties });
      draft.handling(e);
      deliver(draft, ctx, e.name);
    }
    draft.handling(original);
  }
  checkExitWhen(draft, ctx);
  return { state: draft.result(), effects: draft.effects, journal: draft.journal, desk: draft.desk };
}
