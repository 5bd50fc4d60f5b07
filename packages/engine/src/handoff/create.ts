import type { CompiledJourney } from '../compile/compileJourney.ts';
import { readField } from '../conditions/env.ts';
import { renderTemplate } from '../model/template.ts';
import { HandoffDeferred } from '../model/errors.ts';
import { sharedText } from '../model/intern.ts';
import { handoffContext, LazyHandoffContext } from './context.ts';
import type { Draft } from '../step/draft.ts';
import type { HandoffRecord, InstanceRecord } from '../state/records.ts';
import type { StepContext } from '../step/context.ts';
import { routeAndAssign } from './assign.ts';
import { engage } from './engagement.ts';

/** The `baton.handoff` action: creates the record with its context, routes it, and engages the contact. */
export function createHandoff(
  draft: Draft,
  inst: InstanceRecord,
  p: { node: string },
  compiled: CompiledJourney,
  ctx: StepContext,
): void {
  const node = compiled.nodes.get(p.node);
  if (node?.type !== 'handoff') return;
  if (ctx.deferHandoffs) throw HandoffDeferred.instance;
  const { contact } = draft;
  const env = draft.env();
  const source = {
    contact,
    now: draft.now,
    path: inst.path,
    messages: inst.messages,
    node,
    workspace: ctx.workspace,
  };
  const title = renderTemplate(
    node.title ?? `${node.record[0]!.toUpperCase()}${node.record.slice(1)} for {{contact.id}}`,
    (segments) => readField(env, segments),
  );
  const h: HandoffRecord = {
    id: draft.ids.next('hnd', contact.id),
    contactId: contact.id,
    journeyId: inst.journeyId,
    version: inst.version,
    run: inst.run,
    node: node.id,
    team: node.team,
    record: node.record,
    title,
    priority: node.priority,
    status: 'open',
    queue: null,
    assignee: null,
    createdAt: draft.now,
    assignedAt: null,
    dueAt: null,
    acceptedAt: null,
    breached: false,
    escalatedTo: null,
    escalating: false,
    outcome: null,
    closedAt: null,
    value: null,
    outcomes: Object.keys(node.outcomes),
    rejectedBy: [],
    wasUnassigned: false,
    trace: [],
    why: inst.decisions.flatMap((d) =>
      d.reasons.map((r) =>
        d.node === '$trigger' ? sharedText('entered: ', r) : sharedText(d.node, ' → ', d.label, ': ', r),
      ),
    ),
    context: ctx.lazyHandoffContext ? new LazyHandoffContext(source) : handoffContext(source),
  };
  draft.putHandoff(h);
  draft.emitSystem('Handoff Created', {
    handoff: h.id,
    journey: h.journeyId,
    node: h.node,
    record: h.record,
    title: h.title,
    priority: h.priority,
  });
  routeAndAssign(draft, ctx, h);
  engage(draft, ctx, inst.journeyId);
}
