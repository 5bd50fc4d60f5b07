import { COUNT_OPS, FIELD_OPS } from '@baton/engine/internal';
import { DurationInput } from './DurationInput.tsx';
import { isRecord } from '../model/draft.ts';
import { Select, TextInput } from './fields.tsx';

type Cond = Record<string, unknown>;

const parseValue = (text: string): unknown => {
  if (text === '') return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};
const showValue = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * A condition that may be left out (an entry's `when`, a pause's `where`, a routing rule's `when`): the
 * builder with a lead-in and a link that takes it away, or a link that adds `created()`.
 */
export function OptionalCondition({
  value,
  onChange,
  fields,
  disabled,
  lead,
  removeLabel,
  created,
  testId,
}: {
  value: unknown;
  /** The new condition, or undefined when it is taken away. */
  onChange: (c: unknown) => void;
  fields: string[];
  disabled?: boolean | undefined;
  lead: string;
  removeLabel: string;
  created: () => unknown;
  testId?: string;
}) {
  if (value === undefined)
    return (
      <button type="button" className="link" disabled={disabled} onClick={() => onChange(created())}>
        + only when…
      </button>
    );
  return (
    <div className="when" data-testid={testId}>
      <span className="muted small">{lead}</span>
      <ConditionEditor value={value} fields={fields} disabled={disabled} onChange={onChange} />
      <button type="button" className="link" disabled={disabled} onClick={() => onChange(undefined)}>
        {removeLabel}
      </button>
    </div>
  );
}

/**
 * The condition builder of SPEC §3: all / any / not groups, field rules (field, op, value) and event-count
 * rules (event, within a window, op, count), with field suggestions from the workspace.
 */
export function ConditionEditor({
  value,
  onChange,
  fields,
  disabled,
  depth = 0,
}: {
  value: unknown;
  onChange: (c: unknown) => void;
  fields: string[];
  disabled?: boolean;
  depth?: number;
}) {
  const c: Cond = isRecord(value) ? value : {};
  const kind = 'all' in c ? 'all' : 'any' in c ? 'any' : 'not' in c ? 'not' : 'event' in c ? 'event' : 'field';
  const switchTo = (k: string) => {
    if (k === kind) return;
    if (k === 'all' || k === 'any') onChange({ [k]: kind === 'all' || kind === 'any' ? (c[kind] as unknown[]) : [c] });
    else if (k === 'not') onChange({ not: c });
    else if (k === 'event') onChange({ event: 'Page Viewed', within: 'P7D', op: 'gte', value: 1 });
    else onChange({ field: fields[0] ?? 'contact.plan', op: 'eq', value: '' });
  };
  return (
    <div className={`condition depth-${depth % 2}`}>
      <div className="condition-row">
        <Select
          ariaLabel="condition kind"
          value={kind}
          options={['field', 'event', 'all', 'any', 'not'] as const}
          onChange={switchTo}
          disabled={disabled}
        />
        {kind === 'field' && (
          <>
            <TextInput
              ariaLabel="field"
              value={String(c.field ?? '')}
              list="baton-fields"
              placeholder="contact.plan"
              onCommit={(field) => onChange({ ...c, field })}
              disabled={disabled}
            />
            <Select
              ariaLabel="operator"
              value={(c.op as (typeof FIELD_OPS)[number]) ?? ''}
              options={FIELD_OPS}
              onChange={(op) => onChange(op === 'exists' ? { field: c.field, op } : { ...c, op })}
              disabled={disabled}
            />
            {c.op !== 'exists' && (
              <TextInput
                ariaLabel="value"
                value={showValue(c.value)}
                placeholder="value"
                onCommit={(v) => onChange({ ...c, value: parseValue(v) })}
                disabled={disabled}
              />
            )}
          </>
        )}
        {kind === 'event' && (
          <>
            <TextInput
              ariaLabel="event"
              value={String(c.event ?? '')}
              placeholder="Page Viewed"
              onCommit={(event) => onChange({ ...c, event })}
              disabled={disabled}
            />
            <DurationInput
              ariaLabel="within"
              value={String(c.within ?? '')}
              placeholder="P7D"
              onCommit={(within) =>
                onChange(
                  within ? { ...c, within } : Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'within')),
                )
              }
              disabled={disabled}
            />
            <Select
              ariaLabel="count operator"
              value={(c.op as (typeof COUNT_OPS)[number]) ?? 'gte'}
              options={COUNT_OPS}
              onChange={(op) => onChange({ ...c, op })}
              disabled={disabled}
            />
            <TextInput
              ariaLabel="count"
              value={showValue(c.value ?? 1)}
              onCommit={(v) => onChange({ ...c, value: Number(v) })}
              disabled={disabled}
            />
          </>
        )}
      </div>
      {(kind === 'all' || kind === 'any') && (
        <div className="condition-children">
          {((c[kind] as unknown[]) ?? []).map((child, i, list) => (
            <div key={i} className="condition-child">
              <ConditionEditor
                value={child}
                fields={fields}
                disabled={disabled}
                depth={depth + 1}
                onChange={(next) => onChange({ [kind]: list.map((x, k) => (k === i ? next : x)) })}
              />
              <button
                type="button"
                className="icon"
                title="remove this rule"
                disabled={disabled}
                onClick={() => onChange({ [kind]: list.filter((_, k) => k !== i) })}
              >
                ✕
              </button>
            </div>
          ))}
          <button
            type="button"
            className="link"
            disabled={disabled}
            onClick={() =>
              onChange({
                [kind]: [
                  ...((c[kind] as unknown[]) ?? []),
                  { field: fields[0] ?? 'contact.plan', op: 'eq', value: '' },
                ],
              })
            }
          >
            + rule
          </button>
        </div>
      )}
      {kind === 'not' && (
        <div className="condition-children">
          <ConditionEditor
            value={c.not}
            fields={fields}
            disabled={disabled}
            depth={depth + 1}
            onChange={(next) => onChange({ not: next })}
          />
        </div>
      )}
    </div>
  );
}
