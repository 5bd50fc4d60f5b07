import { explainCondition } from '../conditions/explain.ts';
import type { Millis } from '../model/time.ts';
import { addDuration } from '../model/time.ts';
import type { ActionName } from '../nodes/action.ts';
import type { Draft } from '../step/draft.ts';
import type { ActionHandler, ActionOutcome } from '../step/context.ts';
import { createHandoff } from '../handoff/create.ts';
import { expireHandoff } from '../handoff/lifecycle.ts';
import { appended, exactly } from '../model/exact.ts';
import type { InstanceRecord, TimerKind } from '../state/records.ts';

function runAction(
  draft: Draft,
  inst: InstanceRecord,
  p: { node: string; action: ActionName; params: Record<string, unknown> },
): ActionOutcome | void {
  const base = { contactId: draft.contact.id, journeyId: inst.journeyId, node: p.node, at: draft.now };
  switch (p.action) {
    case 'email':
    case 'sms': {
      const suppressed = p.params.whileHumanEngaged !== 'send' && draft.engaged();
      inst.messages = appended(inst.messages, { node: p.node, action: p.action, at: draft.now, suppressed });
      draft.effects.push({ type: 'message', channel: p.action, ...base, params: p.params, suppressed });
      return;
    }
    case 'webhook':
      draft.effects.push({
        type: 'webhook',
        url: String(p.params.url),
        body: {
          contact: { id: draft.contact.id, traits: draft.contact.traits },
          journey: { id: inst.journeyId, version: inst.version, node: p.node },
          params: p.params,
        },
        at: draft.now,
      });
      return;
    case 'notify':
      draft.effects.push({ type: 'notify', to: String(p.params.to), ...base, params: p.params });
      return;
    case 'update_contact':
      draft.setTraits(p.params.traits as Record<string, unknown>);
      return { continue: true };
  }
}

function schedule(
  draft: Draft,
  inst: InstanceRecord,
  p: { node: string; timer: TimerKind; after: string },
  at: Millis,
) {
  draft.addTimer({
    id: draft.ids.next('tmr', draft.contact.id),
    contactId: draft.contact.id,
    journeyId: inst.journeyId,
    run: inst.run,
    node: p.node,
    timer: p.timer,
    dueAt: addDuration(at, p.after),
  });
}

/** The handlers of the actions journey machines emit, by action type. */
export function actionHandlers(extra: Record<string, ActionHandler> = {}): Record<string, ActionHandler> {
  return {
    'baton.enter': (draft, inst, p: { node: string }) => {
      inst.path = appended(inst.path, p.node);
      inst.node = p.node;
      inst.nodeAt = draft.now;
      draft.enteredNode(inst, p.node);
    },
    'baton.took': (draft, inst, p: { node: string; path: number }, compiled) => {
      const node = compiled.nodes.get(p.node);
      if (node?.type !== 'branch') return;
      const taken = node.paths[p.path];
      const reasons = taken
        ? explainCondition(taken.when, draft.env())
        : node.paths.flatMap((x) => explainCondition(x.when, draft.env(), true));
      inst.decisions = appended(inst.decisions, {
        node: p.node,
        label: taken?.label ?? 'otherwise',
        reasons: exactly(reasons),
        at: draft.now,
      });
    },
    'baton.schedule': (draft, inst, p: { node: string; timer: TimerKind; after: string }) =>
      schedule(draft, inst, p, draft.now),
    'baton.cancelTimers': (draft, inst, p: { node: string }) =>
      draft.removeTimers((t) => t.journeyId === inst.journeyId && t.node === p.node),
    'baton.action': (draft, inst, p: { node: string; action: ActionName; params: Record<string, unknown> }) =>
      runAction(draft, inst, p),
    'baton.handoff': createHandoff,
    'baton.expireHandoff': expireHandoff,
    'baton.exit': (draft, inst, p: { node: string; outcome: string }) => {
      inst.status = 'exited';
      inst.outcome = p.outcome;
      inst.exitedAt = draft.now;
    },
    ...extra,
  };
}
