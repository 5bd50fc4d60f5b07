import { PRIORITIES, RECORD_KINDS } from '@baton/engine/internal';
import { OptionalCondition } from '../editor/ConditionEditor.tsx';
import { DurationInput } from '../editor/DurationInput.tsx';
import { Field, Select, TextArea, TextInput } from '../editor/fields.tsx';
import { durationWords } from '../model/duration.ts';
import { ListEditor, TargetEditor, without } from '../editor/widgets.tsx';
import { isRecord, type DraftNode } from '../model/draft.ts';
import { portSlot, str } from '../model/slots.ts';
import { teamScope } from '../model/teamScope.ts';
import type { NodeFormProps, NodeTypeDef } from './nodeType.ts';

/** A routing target in words: "queue emea-ae", "owner contact.ownerId", "rep ana". */
export function targetWords(to: unknown): string {
  if (!isRecord(to)) return 'nobody yet';
  if (typeof to.queue === 'string') return `queue ${to.queue}`;
  if (typeof to.owner === 'string') return `owner ${to.owner}`;
  if (typeof to.rep === 'string') return `rep ${to.rep}`;
  return 'nobody yet';
}

const outcomesOf = (node: DraftNode) => (isRecord(node.outcomes) ? node.outcomes : {});

function HandoffForm({ node, set, team: fullTeam, fields, disabled }: NodeFormProps) {
  // Pickers offer the reps and queues of the node's own team (sales or service).
  const team = teamScope(fullTeam, str(node.team));
  const route = (Array.isArray(node.route) ? node.route : []) as Record<string, unknown>[];
  const sla = isRecord(node.sla) ? node.sla : undefined;
  const context = isRecord(node.context) ? node.context : {};
  const outcomes = outcomesOf(node);
  return (
    <>
      <div className="row2">
        <Field label="Team">
          <Select
            ariaLabel="team"
            value={str(node.team) as 'sales' | 'service' | ''}
            options={['sales', 'service'] as const}
            onChange={(v) => set('team', v)}
            disabled={disabled}
          />
        </Field>
        <Field label="Record">
          <Select
            ariaLabel="record"
            value={str(node.record) as (typeof RECORD_KINDS)[number] | ''}
            options={RECORD_KINDS}
            onChange={(v) => set('record', v)}
            disabled={disabled}
          />
        </Field>
      </div>
      <Field label="Title" hint="{{contact.x}}, {{score.x}} and {{event.properties.x}} are filled in">
        <TextInput
          ariaLabel="title"
          value={str(node.title)}
          onCommit={(v) => set('title', v || undefined)}
          disabled={disabled}
        />
      </Field>
      <Field label="Priority">
        <Select
          ariaLabel="priority"
          value={(str(node.priority) || 'normal') as (typeof PRIORITIES)[number]}
          options={PRIORITIES}
          onChange={(v) => set('priority', v)}
          disabled={disabled}
        />
      </Field>
      <h4>Routing rules</h4>
      <p className="muted small">Tried in order; the first that yields an available rep wins.</p>
      <ListEditor
        items={route}
        disabled={disabled}
        addLabel="+ rule"
        add={() => ({ to: { queue: team?.queues[0]?.id ?? '' } })}
        onChange={(v) => set('route', v)}
        render={(rule, setRule) => (
          <>
            <TargetEditor value={rule.to} team={team} disabled={disabled} onChange={(to) => setRule({ ...rule, to })} />
            <OptionalCondition
              value={rule.when}
              fields={fields}
              disabled={disabled}
              lead="when"
              removeLabel="always"
              created={() => ({ field: fields[0] ?? 'contact.region', op: 'eq', value: '' })}
              onChange={(when) =>
                setRule(
                  when === undefined
                    ? without(rule, 'when')
                    : rule.when === undefined
                      ? { when, ...rule }
                      : { ...rule, when },
                )
              }
            />
          </>
        )}
      />
      <Field label="Fallback">
        <TargetEditor
          optional
          value={node.fallback}
          team={team}
          disabled={disabled}
          onChange={(v) => set('fallback', v)}
        />
      </Field>
      <h4>SLA</h4>
      <div className="row2">
        <Field label="First touch within" hint="business time of the rep's calendar">
          <DurationInput
            ariaLabel="first touch"
            value={str(sla?.firstTouch)}
            placeholder="PT4H"
            onCommit={(v) => set('sla', v ? { ...sla, firstTouch: v } : undefined)}
            disabled={disabled}
          />
        </Field>
        <Field label="Expires after">
          <DurationInput
            ariaLabel="expires"
            value={str(node.expires)}
            placeholder="P14D"
            onCommit={(v) => set('expires', v)}
            disabled={disabled}
          />
        </Field>
      </div>
      {sla && (
        <Field label="Escalate to">
          <TargetEditor
            optional
            value={sla.escalate}
            team={team}
            disabled={disabled}
            onChange={(escalate) =>
              set('sla', escalate === undefined ? without(sla, 'escalate') : { ...sla, escalate })
            }
          />
        </Field>
      )}
      <h4>Context for the rep</h4>
      <Field label="Timeline reaches back">
        <DurationInput
          ariaLabel="timeline"
          value={str(context.timeline)}
          placeholder="P14D"
          onCommit={(v) => set('context', v ? { ...context, timeline: v } : without(context, 'timeline'))}
          disabled={disabled}
        />
      </Field>
      <Field label="Talk track">
        <TextArea
          ariaLabel="talk track"
          value={str(context.talkTrack)}
          onCommit={(v) => set('context', { ...context, talkTrack: v })}
          disabled={disabled}
        />
      </Field>
      <Field label="Next best actions" hint="one per line">
        <TextArea
          ariaLabel="next best actions"
          value={(Array.isArray(context.nextBestActions) ? context.nextBestActions : []).join('\n')}
          onCommit={(v) =>
            set('context', {
              ...context,
              nextBestActions: v
                .split('\n')
                .map((x) => x.trim())
                .filter(Boolean),
            })
          }
          disabled={disabled}
        />
      </Field>
      <h4>Outcomes</h4>
      <p className="muted small">Each outcome a rep can log is a port on the canvas.</p>
      <ListEditor
        items={Object.entries(outcomes)}
        disabled={disabled}
        addLabel="+ outcome"
        add={(): [string, unknown] => [`outcome_${Object.keys(outcomes).length + 1}`, '']}
        onChange={(entries) => set('outcomes', Object.fromEntries(entries))}
        render={([name, target], setEntry) => (
          <TextInput
            ariaLabel="outcome"
            value={name}
            onCommit={(v) => setEntry([v.trim().replace(/\s+/g, '_'), target])}
            disabled={disabled}
          />
        )}
      />
    </>
  );
}

/** handoff: a lead, task or case for a human, routed with an SLA; a port per outcome, and one for expiry. */
export const handoffType: NodeTypeDef = {
  type: 'handoff',
  palette: { title: 'Handoff', hint: 'Create a lead, task or case for a human, routed with an SLA' },
  template: ({ id, team }) => {
    // The first queue of the node's own team (a sales lead never starts in a service queue).
    const queue = teamScope(team ?? null, 'sales')?.queues?.[0]?.id;
    return {
      id,
      type: 'handoff',
      team: 'sales',
      record: 'lead',
      title: '{{contact.company}}',
      priority: 'normal',
      route: queue ? [{ to: { queue } }] : [],
      sla: { firstTouch: 'PT4H' },
      context: { timeline: 'P14D', talkTrack: '', nextBestActions: [] },
      outcomes: { meeting_booked: '', not_interested: '' },
    };
  },
  ports: (node) => [
    ...Object.keys(outcomesOf(node)).map((o) => portSlot(node, `outcomes.${o}`, o.replace(/_/g, ' '), ['outcomes', o])),
    portSlot(node, 'onExpire', 'expired', ['onExpire']),
  ],
  summary: (node) => {
    const route = Array.isArray(node.route) ? node.route : [];
    const first = route[0];
    const sla = isRecord(node.sla) ? str(node.sla.firstTouch) : '';
    return [
      `${str(node.record) || '?'} for ${str(node.team) || '?'}`,
      `→ ${targetWords(isRecord(first) ? first.to : node.fallback)}${sla ? ` · SLA ${durationWords(sla)}` : ''}`,
    ];
  },
  Form: HandoffForm,
};
