import type { Draft } from '../runtime/draft.ts';
import type { StepContext } from '../runtime/step.ts';
import { drive, exitInstance } from '../runtime/drive.ts';

/**
 * A handoff opened for `journeyId`: at that instant every other journey of the contact does what its
 * `whileHumanEngaged` says: pause, exit (outcome human_engaged) or continue.
 */
export function engage(draft: Draft, ctx: StepContext, journeyId: string): void {
  for (const inst of draft.instances) {
    if (inst.journeyId === journeyId || inst.status !== 'active') continue;
    const mode = ctx.catalog.get(inst.journeyId, inst.version)?.journey.whileHumanEngaged ?? 'pause';
    if (mode === 'pause') draft.update({ ...inst, status: 'paused' });
    else if (mode === 'exit') exitInstance(draft, inst, 'human_engaged');
  }
}

/**
 * A handoff closed: journeys paused by it resume once no handoff of another journey is open, and the
 * timers that fell due while they were paused fire now, in due order.
 */
export function release(draft: Draft, ctx: StepContext): void {
  for (const paused of draft.instances) {
    if (paused.status !== 'paused' || draft.engaged(paused.journeyId)) continue;
    const compiled = ctx.catalog.get(paused.journeyId, paused.version);
    if (!compiled) continue;
    draft.update({ ...paused, status: 'active' });
    let inst = draft.instance(paused.journeyId)!;
    if (inst.node === null) inst = drive(draft, ctx, compiled, inst, 'baton.enter');
    const held = draft.timers.filter((t) => t.held && t.journeyId === inst.journeyId).sort((a, b) => a.dueAt - b.dueAt);
    for (const timer of held) {
      draft.removeTimers((t) => t.id === timer.id);
      const current = draft.instance(inst.journeyId)!;
      if (current.status === 'active' && current.node === timer.node && current.run === timer.run) {
        drive(draft, ctx, compiled, current, `baton.timer.${timer.timer}`);
      }
    }
  }
}
