import { ACTIONS, PRIORITIES, RECORD_KINDS } from '@baton/engine';
import type { TeamShape } from '../api.ts';
import { isRecord, type DraftJourney, type DraftNode, type JourneyChange } from '../model/index.ts';
import { ConditionEditor } from './ConditionEditor.tsx';
import { Field, JsonInput, Select, TextArea, TextInput } from './fields.tsx';

interface Props {
  journey: DraftJourney;
  selected: string | null;
  team: TeamShape | null;
  fields: string[];
  readOnly: boolean;
  apply: (change: JourneyChange) => void;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/** A routing target picker: rep, owner field or queue, with the team's reps and queues offered. */
function TargetEditor({ value, onChange, team, disabled, optional }: { value: unknown; onChange: (t: unknown) => void; team: TeamShape | null; disabled: boolean; optional?: boolean }) {
  const t = isRecord(value) ? value : {};
  const kind = 'rep' in t ? 'rep' : 'owner' in t ? 'owner' : 'queue' in t ? 'queue' : '';
  const options = kind === 'rep' ? team?.reps.map((r) => r.id) ?? [] : kind === 'queue' ? team?.queues.map((q) => q.id) ?? [] : [];
  return (
    <div className="target">
      <Select
        ariaLabel="target kind"
        value={kind as 'rep' | 'owner' | 'queue' | ''}
        options={optional ? (['none', 'queue', 'rep', 'owner'] as const) : (['queue', 'rep', 'owner'] as const)}
        disabled={disabled}
        onChange={(k) => onChange(k === 'none' ? undefined : k === 'owner' ? { owner: 'contact.ownerId' } : { [k]: (k === 'rep' ? team?.reps[0]?.id : team?.queues[0]?.id) ?? '' })}
      />
      {kind === 'owner' ? (
        <TextInput ariaLabel="owner field" value={str(t.owner)} onCommit={(owner) => onChange({ owner })} disabled={disabled} />
      ) : kind ? (
        <Select ariaLabel={`${kind} id`} value={str(t[kind])} options={options} onChange={(id) => onChange({ [kind]: id })} disabled={disabled} />
      ) : null}
    </div>
  );
}

/** A list editor: each item rendered by `render`, with add and remove. */
function ListEditor<T>({ items, render, add, onChange, disabled, addLabel }: { items: T[]; render: (item: T, set: (v: T) => void, i: number) => React.ReactNode; add: () => T; onChange: (items: T[]) => void; disabled: boolean; addLabel: string }) {
  return (
    <div className="list-editor">
      {items.map((item, i) => (
        <div key={i} className="list-item">
          <div className="list-item-body">{render(item, (v) => onChange(items.map((x, k) => (k === i ? v : x))), i)}</div>
          <button className="icon" title="remove" disabled={disabled} onClick={() => onChange(items.filter((_, k) => k !== i))}>✕</button>
        </div>
      ))}
      <button className="link" disabled={disabled} onClick={() => onChange([...items, add()])}>{addLabel}</button>
    </div>
  );
}

function HandoffForm({ node, set, team, fields, disabled }: { node: DraftNode; set: (key: string, value: unknown) => void; team: TeamShape | null; fields: string[]; disabled: boolean }) {
  const route = (Array.isArray(node.route) ? node.route : []) as Record<string, unknown>[];
  const sla = isRecord(node.sla) ? node.sla : undefined;
  const context = isRecord(node.context) ? node.context : {};
  const outcomes = isRecord(node.outcomes) ? node.outcomes : {};
  return (
    <>
      <div className="row2">
        <Field label="Team"><Select ariaLabel="team" value={str(node.team) as 'sales' | 'service' | ''} options={['sales', 'service'] as const} onChange={(v) => set('team', v)} disabled={disabled} /></Field>
        <Field label="Record"><Select ariaLabel="record" value={str(node.record) as (typeof RECORD_KINDS)[number] | ''} options={RECORD_KINDS} onChange={(v) => set('record', v)} disabled={disabled} /></Field>
      </div>
      <Field label="Title" hint="{{contact.x}}, {{score.x}} and {{event.properties.x}} are filled in"><TextInput ariaLabel="title" value={str(node.title)} onCommit={(v) => set('title', v || undefined)} disabled={disabled} /></Field>
      <Field label="Priority"><Select ariaLabel="priority" value={(str(node.priority) || 'normal') as (typeof PRIORITIES)[number]} options={PRIORITIES} onChange={(v) => set('priority', v)} disabled={disabled} /></Field>
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
            {rule.when !== undefined ? (
              <div className="when">
                <span className="muted small">when</span>
                <ConditionEditor value={rule.when} fields={fields} disabled={disabled} onChange={(when) => setRule({ ...rule, when })} />
                <button className="link" disabled={disabled} onClick={() => setRule(without(rule, 'when'))}>always</button>
              </div>
            ) : (
              <button className="link" disabled={disabled} onClick={() => setRule({ when: { field: fields[0] ?? 'contact.region', op: 'eq', value: '' }, ...rule })}>+ only when…</button>
            )}
          </>
        )}
      />
      <Field label="Fallback"><TargetEditor optional value={node.fallback} team={team} disabled={disabled} onChange={(v) => set('fallback', v)} /></Field>
      <h4>SLA</h4>
      <div className="row2">
        <Field label="First touch within" hint="business time of the rep's calendar"><TextInput ariaLabel="first touch" value={str(sla?.firstTouch)} placeholder="PT4H" onCommit={(v) => set('sla', v ? { ...sla, firstTouch: v } : undefined)} disabled={disabled} /></Field>
        <Field label="Expires after"><TextInput ariaLabel="expires" value={str(node.expires)} placeholder="P14D" onCommit={(v) => set('expires', v || undefined)} disabled={disabled} /></Field>
      </div>
      {sla && <Field label="Escalate to"><TargetEditor optional value={sla.escalate} team={team} disabled={disabled} onChange={(escalate) => set('sla', escalate === undefined ? without(sla, 'escalate') : { ...sla, escalate })} /></Field>}
      <h4>Context for the rep</h4>
      <Field label="Timeline reaches back"><TextInput ariaLabel="timeline" value={str(context.timeline)} placeholder="P14D" onCommit={(v) => set('context', v ? { ...context, timeline: v } : without(context, 'timeline'))} disabled={disabled} /></Field>
      <Field label="Talk track"><TextArea ariaLabel="talk track" value={str(context.talkTrack)} onCommit={(v) => set('context', { ...context, talkTrack: v })} disabled={disabled} /></Field>
      <Field label="Next best actions" hint="one per line"><TextArea ariaLabel="next best actions" value={(Array.isArray(context.nextBestActions) ? context.nextBestActions : []).join('\n')} onCommit={(v) => set('context', { ...context, nextBestActions: v.split('\n').map((x) => x.trim()).filter(Boolean) })} disabled={disabled} /></Field>
      <h4>Outcomes</h4>
      <p className="muted small">Each outcome a rep can log is a port on the canvas.</p>
      <ListEditor
        items={Object.entries(outcomes)}
        disabled={disabled}
        addLabel="+ outcome"
        add={(): [string, unknown] => [`outcome_${Object.keys(outcomes).length + 1}`, '']}
        onChange={(entries) => set('outcomes', Object.fromEntries(entries))}
        render={([name, target], setEntry) => <TextInput ariaLabel="outcome" value={name} onCommit={(v) => setEntry([v.trim().replace(/\s+/g, '_'), target])} disabled={disabled} />}
      />
    </>
  );
}

/** The form for one node type (SPEC §5), then its raw JSON for anything the form does not show. */
function NodeForm({ node, apply, team, fields, readOnly }: { node: DraftNode; apply: Props['apply']; team: TeamShape | null; fields: string[]; readOnly: boolean }) {
  const update = (next: DraftNode) => apply({ kind: 'updateNode', id: node.id, node: next });
  const set = (key: string, value: unknown) => update((value === undefined ? without(node, key) : { ...node, [key]: value }) as DraftNode);
  const disabled = readOnly;
  return (
    <>
      <Field label="Id" hint="renaming keeps every connection"><TextInput ariaLabel="node id" value={node.id} onCommit={(id) => id && update({ ...node, id })} disabled={disabled} /></Field>
      <Field label="Label"><TextInput ariaLabel="label" value={str(node.label)} onCommit={(v) => set('label', v || undefined)} disabled={disabled} /></Field>
      {node.type === 'wait' && <Field label="Duration" hint="ISO 8601, e.g. P1D, PT4H"><TextInput ariaLabel="duration" value={str(node.duration)} onCommit={(v) => set('duration', v)} disabled={disabled} /></Field>}
      {node.type === 'pause' && (
        <>
          <Field label="Until event"><TextInput ariaLabel="until event" value={isRecord(node.until) ? str(node.until.event) : ''} onCommit={(event) => set('until', { ...(isRecord(node.until) ? node.until : {}), event })} disabled={disabled} /></Field>
          <Field label="Timeout"><TextInput ariaLabel="timeout" value={str(node.timeout)} placeholder="P3D" onCommit={(v) => set('timeout', v || undefined)} disabled={disabled} /></Field>
        </>
      )}
      {node.type === 'action' && (
        <>
          <Field label="Action"><Select ariaLabel="action" value={str(node.action) as (typeof ACTIONS)[number]} options={ACTIONS} onChange={(v) => set('action', v)} disabled={disabled} /></Field>
          <Field label="Parameters" hint={node.action === 'webhook' ? '{ "url": "https://..." }' : node.action === 'update_contact' ? '{ "traits": { ... } }' : '{ "template": "..." }'}><JsonInput ariaLabel="parameters" value={node.params ?? {}} onCommit={(v) => set('params', v ?? {})} disabled={disabled} /></Field>
        </>
      )}
      {node.type === 'branch' && (
        <>
          <h4>Paths</h4>
          <p className="muted small">The first path whose condition holds is taken; otherwise the last port.</p>
          <ListEditor
            items={(Array.isArray(node.paths) ? node.paths : []) as Record<string, unknown>[]}
            disabled={disabled}
            addLabel="+ path"
            add={() => ({ label: 'New path', when: { field: fields[0] ?? 'contact.plan', op: 'eq', value: '' } })}
            onChange={(v) => set('paths', v)}
            render={(p, setP) => (
              <>
                <TextInput ariaLabel="path label" value={str(p.label)} onCommit={(label) => setP({ ...p, label })} disabled={disabled} />
                <ConditionEditor value={p.when} fields={fields} disabled={disabled} onChange={(when) => setP({ ...p, when })} />
              </>
            )}
          />
        </>
      )}
      {node.type === 'split' && (
        <>
          <h4>Variants</h4>
          <ListEditor
            items={(Array.isArray(node.variants) ? node.variants : []) as Record<string, unknown>[]}
            disabled={disabled}
            addLabel="+ variant"
            add={() => ({ label: 'C', weight: 1 })}
            onChange={(v) => set('variants', v)}
            render={(v, setV) => (
              <div className="row2">
                <TextInput ariaLabel="variant label" value={str(v.label)} onCommit={(label) => setV({ ...v, label })} disabled={disabled} />
                <TextInput ariaLabel="weight" value={String(v.weight ?? '')} onCommit={(w) => setV({ ...v, weight: Number(w) })} disabled={disabled} />
              </div>
            )}
          />
        </>
      )}
      {node.type === 'handoff' && <HandoffForm node={node} set={set} team={team} fields={fields} disabled={disabled} />}
      {node.type === 'exit' && <Field label="Outcome" hint="what reports count this exit as, e.g. converted"><TextInput ariaLabel="outcome" value={str(node.outcome)} onCommit={(v) => set('outcome', v)} disabled={disabled} /></Field>}
      <details className="raw">
        <summary>JSON</summary>
        <JsonInput ariaLabel="node JSON" rows={10} value={node} onCommit={(v) => isRecord(v) && typeof v.id === 'string' && update(v as DraftNode)} disabled={disabled} />
      </details>
    </>
  );
}

/** Journey settings: name, trigger, re-entry, what happens while a human is engaged, exit conditions. */
function JourneyForm({ journey, apply, fields, readOnly }: { journey: DraftJourney; apply: Props['apply']; fields: string[]; readOnly: boolean }) {
  const set = (fieldsChange: Partial<DraftJourney>) => apply({ kind: 'updateJourney', fields: fieldsChange });
  const trigger = journey.trigger ?? {};
  return (
    <>
      <Field label="Name"><TextInput ariaLabel="journey name" value={str(journey.name)} onCommit={(name) => set({ name })} disabled={readOnly} /></Field>
      <Field label="Description"><TextArea ariaLabel="description" value={str(journey.description)} onCommit={(description) => set({ description })} disabled={readOnly} /></Field>
      <h4>Entry</h4>
      <Field label="When this event arrives"><TextInput ariaLabel="trigger event" value={str(trigger.event)} onCommit={(event) => set({ trigger: { ...trigger, event } })} disabled={readOnly} /></Field>
      {trigger.when !== undefined ? (
        <div className="when">
          <span className="muted small">and</span>
          <ConditionEditor value={trigger.when} fields={fields} disabled={readOnly} onChange={(when) => set({ trigger: { ...trigger, when } })} />
          <button className="link" disabled={readOnly} onClick={() => set({ trigger: { event: trigger.event } })}>no condition</button>
        </div>
      ) : (
        <button className="link" disabled={readOnly} onClick={() => set({ trigger: { ...trigger, when: { field: 'event.properties.path', op: 'eq', value: '/pricing' } } })}>+ only when…</button>
      )}
      <div className="row2">
        <Field label="Re-entry" hint="never, after_exit, or a duration"><TextInput ariaLabel="reentry" value={str(journey.reentry) || 'never'} onCommit={(reentry) => set({ reentry })} disabled={readOnly} /></Field>
        <Field label="While a human is engaged"><Select ariaLabel="while human engaged" value={(str(journey.whileHumanEngaged) || 'pause') as 'pause' | 'continue' | 'exit'} options={['pause', 'continue', 'exit'] as const} onChange={(whileHumanEngaged) => set({ whileHumanEngaged })} disabled={readOnly} /></Field>
      </div>
      <Field label="Exit when" hint='[ { "when": condition, "outcome": "..." } ]'><JsonInput ariaLabel="exit when" value={journey.exitWhen ?? []} onCommit={(exitWhen) => set({ exitWhen: exitWhen ?? [] })} disabled={readOnly} /></Field>
    </>
  );
}

/** The inspector: the selected node's form, or the journey's settings when the entry (or nothing) is selected. */
export function Inspector({ journey, selected, team, fields, readOnly, apply }: Props) {
  const node = selected ? journey.nodes.find((n) => n.id === selected) : undefined;
  return (
    <aside className="inspector" aria-label="inspector">
      <datalist id="baton-fields">{fields.map((f) => <option key={f} value={f} />)}</datalist>
      <h3>{node ? `${node.type} · ${node.id}` : 'Journey settings'}</h3>
      {node ? <NodeForm key={node.id} node={node} apply={apply} team={team} fields={fields} readOnly={readOnly} /> : <JourneyForm journey={journey} apply={apply} fields={fields} readOnly={readOnly} />}
    </aside>
  );
}
