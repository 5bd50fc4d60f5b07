import type { CompiledJourney } from '../compile/compileJourney.ts';
import type { Millis } from '../model/time.ts';
import { kindOf } from '../nodes/registry.ts';
import type { Draft } from '../step/draft.ts';
import type { InstanceRecord } from '../state/records.ts';
import type { StepContext } from '../step/context.ts';
import { drive, exitInstance } from '../step/drive.ts';
import { eventsOf } from '../conditions/timeline.ts';

/**
 * A handoff opened for `journeyId`: at that instant every other journey of the contact does what its
 * `whileHumanEngaged` says: pause, exit (outcome human_engaged) or continue.
 */
export function engage(draft: Draft, ctx: StepContext, journeyId: string): void {
  for (const inst of draft.instances) {
    if (inst.journeyId === journeyId || inst.status !== 'active') continue;
    const mode = ctx.catalog.get(inst.journeyId, inst.version)?.journey.whileHumanEngaged ?? 'pause';
    if (mode === 'pause') draft.update({ ...inst, status: 'paused', pausedAt: draft.now });
    else if (mode === 'exit') exitInstance(draft, inst, 'human_engaged');
  }
}

/**
 * A journey paused at a `pause` node did not see the events that came while it was paused: the first one
 * it was waiting for, if any came, moves it on now.
 */
function catchUp(
  draft: Draft,
  ctx: StepContext,
  compiled: CompiledJourney,
  inst: InstanceRecord,
  since: Millis,
): InstanceRecord {
  const node = inst.node === null ? undefined : compiled.nodes.get(inst.node);
  if (node?.type !== 'pause') return inst;
  const original = draft.event;
  for (const e of eventsOf(draft.contact)) {
    if (e.at < since || e.name !== node.until.event) continue;
    draft.handling({ name: e.name, properties: e.properties });
    const listens = kindOf(node.type)!.listens(node, e.name, draft.env());
    if (listens) inst = drive(draft, ctx, compiled, inst, e.name);
    draft.handling(original);
    if (listens) break;
  }
  return inst;
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
    const { pausedAt, ...rest } = paused;
    draft.update({ ...rest, status: 'active' });
    let inst = draft.instance(paused.journeyId)!;
    if (inst.node === null) inst = drive(draft, ctx, compiled, inst, 'baton.enter');
    else inst = catchUp(draft, ctx, compiled, inst, pausedAt ?? draft.now);
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
