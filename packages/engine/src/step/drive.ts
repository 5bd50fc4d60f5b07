import type { CompiledJourney } from '../compile/compileJourney.ts';
import type { Draft } from './draft.ts';
import { stepMachine } from './machine.ts';
import type { InstanceRecord } from '../state/records.ts';
import type { StepContext } from '../step/context.ts';

/** Runs a machine event (with a rep's `outcome`, for a handoff) through one instance, carrying out every action it returns. */
export function drive(
  draft: Draft,
  ctx: StepContext,
  compiled: CompiledJourney,
  current: InstanceRecord,
  type: string,
  outcome?: string,
): InstanceRecord {
  const inst = { ...current };
  let eventType = type;
  for (;;) {
    const event = { type: eventType, env: draft.env(), journeyId: inst.journeyId };
    const res = stepMachine(compiled, inst.snapshot, outcome === undefined ? event : { ...event, outcome });
    if (res.unchanged) return current; // no transition was enabled: nothing to record
    inst.snapshot = res.snapshot;
    let resume = false;
    for (const action of res.actions) {
      const handler = ctx.handlers[action.type];
      if (!handler) throw new Error(`no handler for journey action ${action.type}`);
      if (handler(draft, inst, action.params as never, compiled, ctx)?.continue) resume = true;
    }
    draft.update(inst);
    if (res.done) {
      finish(draft, inst, inst.outcome ?? 'completed');
      return inst;
    }
    if (!resume) return inst;
    eventType = 'baton.continue';
  }
}

/** Ends a run: its timers go, and reports hear of it. */
function finish(draft: Draft, inst: InstanceRecord, outcome: string) {
  draft.removeTimers((t) => t.journeyId === inst.journeyId);
  draft.journal.push({
    kind: 'exited',
    journeyId: inst.journeyId,
    version: inst.version,
    node: inst.node,
    contactId: draft.contact.id,
    outcome,
    at: draft.now,
  });
  draft.emit('Journey Exited', { journey: inst.journeyId, version: inst.version, outcome, node: inst.node });
}

/** Ends a run wherever the contact is (exitWhen, whileHumanEngaged: exit). */
export function exitInstance(draft: Draft, inst: InstanceRecord, outcome: string): void {
  const next: InstanceRecord = { ...inst, status: 'exited', outcome, exitedAt: draft.now };
  draft.update(next);
  finish(draft, next, outcome);
}
