import type { TeamShape } from '../api.ts';
import { isRecord, type DraftJourney, type DraftNode, type JourneyChange } from '../model/index.ts';
import { OptionalCondition } from './ConditionEditor.tsx';
import { ExitWhenList } from './ExitWhenList.tsx';
import { Field, JsonInput, Select, TextArea, TextInput } from './fields.tsx';
import { ReentryInput } from './ReentryInput.tsx';
import { nodeTypeDef } from '../nodeTypes/index.ts';

interface Props {
  journey: DraftJourney;
  selected: string | null;
  team: TeamShape | null;
  fields: string[];
  readOnly: boolean;
  apply: (change: JourneyChange) => void;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const without = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/** The form for one node type (SPEC §5), then its raw JSON for anything the form does not show. */
function NodeForm({
  node,
  apply,
  team,
  teams,
  fields,
  readOnly,
}: {
  node: DraftNode;
  apply: Props['apply'];
  team: TeamShape | null;
  teams: string[];
  fields: string[];
  readOnly: boolean;
}) {
  const update = (next: DraftNode) => apply({ kind: 'updateNode', id: node.id, node: next });
  const set = (key: string, value: unknown) =>
    update((value === undefined ? without(node, key) : { ...node, [key]: value }) as DraftNode);
  const disabled = readOnly;
  const Form = nodeTypeDef(node.type)?.Form;
  return (
    <>
      <Field label="Id" hint="renaming keeps every connection">
        <TextInput
          ariaLabel="node id"
          value={node.id}
          onCommit={(id) => id && update({ ...node, id })}
          disabled={disabled}
        />
      </Field>
      <Field label="Label">
        <TextInput
          ariaLabel="label"
          value={str(node.label)}
          onCommit={(v) => set('label', v || undefined)}
          disabled={disabled}
        />
      </Field>
      {Form && (
        <Form node={node} set={set} update={update} team={team} teams={teams} fields={fields} disabled={disabled} />
      )}
      <details className="raw">
        <summary>JSON</summary>
        <JsonInput
          ariaLabel="node JSON"
          rows={10}
          value={node}
          onCommit={(v) => isRecord(v) && typeof v.id === 'string' && update(v as DraftNode)}
          disabled={disabled}
        />
      </details>
    </>
  );
}

/** Journey settings: name, trigger, re-entry, what happens while a human is engaged, exit conditions. */
function JourneyForm({
  journey,
  apply,
  fields,
  readOnly,
}: {
  journey: DraftJourney;
  apply: Props['apply'];
  fields: string[];
  readOnly: boolean;
}) {
  const set = (fieldsChange: Partial<DraftJourney>) => apply({ kind: 'updateJourney', fields: fieldsChange });
  const trigger = journey.trigger ?? {};
  return (
    <>
      <Field label="Name">
        <TextInput
          ariaLabel="journey name"
          value={str(journey.name)}
          onCommit={(name) => set({ name })}
          disabled={readOnly}
        />
      </Field>
      <Field label="Description">
        <TextArea
          ariaLabel="description"
          value={str(journey.description)}
          onCommit={(description) => set({ description })}
          disabled={readOnly}
        />
      </Field>
      <h4>Entry</h4>
      <Field label="When this event arrives">
        <TextInput
          ariaLabel="trigger event"
          value={str(trigger.event)}
          onCommit={(event) => set({ trigger: { ...trigger, event } })}
          disabled={readOnly}
        />
      </Field>
      <OptionalCondition
        value={trigger.when}
        fields={fields}
        disabled={readOnly}
        lead="and"
        removeLabel="no condition"
        created={() => ({ field: 'event.properties.path', op: 'eq', value: '/pricing' })}
        onChange={(when) => set({ trigger: when === undefined ? { event: trigger.event } : { ...trigger, when } })}
      />
      <Field label="Re-entry" hint="can a contact go through this journey again?">
        <ReentryInput value={str(journey.reentry)} onCommit={(reentry) => set({ reentry })} disabled={readOnly} />
      </Field>
      <Field label="While a human is engaged">
        <Select
          ariaLabel="while human engaged"
          value={(str(journey.whileHumanEngaged) || 'pause') as 'pause' | 'continue' | 'exit'}
          options={['pause', 'continue', 'exit'] as const}
          onChange={(whileHumanEngaged) => set({ whileHumanEngaged })}
          disabled={readOnly}
        />
      </Field>
      <h4>Exit when</h4>
      <p className="field-hint">
        Checked after every event and trait update; the first rule that holds ends the journey.
      </p>
      <ExitWhenList
        value={journey.exitWhen ?? []}
        fields={fields}
        onChange={(exitWhen) => set({ exitWhen })}
        disabled={readOnly}
      />
    </>
  );
}

/** The inspector: the selected node's form, or the journey's settings when the entry (or nothing) is selected. */
export function Inspector({ journey, selected, team, fields, readOnly, apply }: Props) {
  const node = selected ? journey.nodes.find((n) => n.id === selected) : undefined;
  const teams = [
    ...new Set(journey.nodes.flatMap((n) => (n.type === 'handoff' && typeof n.team === 'string' ? [n.team] : []))),
  ];
  return (
    <aside className="inspector" aria-label="inspector">
      <datalist id="baton-fields">
        {fields.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <h3>{node ? `${node.type} · ${node.id}` : 'Journey settings'}</h3>
      {node ? (
        <NodeForm
          key={node.id}
          node={node}
          apply={apply}
          team={team}
          teams={teams}
          fields={fields}
          readOnly={readOnly}
        />
      ) : (
        <JourneyForm journey={journey} apply={apply} fields={fields} readOnly={readOnly} />
      )}
    </aside>
  );
}
