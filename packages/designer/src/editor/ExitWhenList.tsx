import { isRecord } from '../model/draft.ts';
import { ConditionEditor } from './ConditionEditor.tsx';
import { JsonInput, TextInput } from './fields.tsx';

type Rule = { when?: unknown; outcome?: unknown };

/** The rule a marketer starts from (SPEC §5's example): the contact became a customer. */
export const newExitRule = (): Rule => ({
  when: { field: 'contact.lifecycle', op: 'eq', value: 'customer' },
  outcome: 'became_customer',
});

/**
 * The journey's exit rules (SPEC §5 `exitWhen`): each a condition and the outcome it ends the journey
 * with, first that holds wins. Rows can be added and removed; the raw JSON stays behind "Advanced".
 */
export function ExitWhenList({
  value,
  onChange,
  fields,
  disabled,
}: {
  value: unknown;
  onChange: (rules: unknown[]) => void;
  fields: string[];
  disabled?: boolean;
}) {
  const rules: unknown[] = Array.isArray(value) ? value : [];
  const put = (i: number, rule: Rule) => onChange(rules.map((r, k) => (k === i ? rule : r)));
  return (
    <div className="exit-rules" data-testid="exit-rules">
      {rules.length === 0 && <p className="muted small">No exit rules: contacts leave only at an Exit step.</p>}
      {rules.map((r, i) => {
        const rule: Rule = isRecord(r) ? r : {};
        const outcome = typeof rule.outcome === 'string' ? rule.outcome : '';
        const n = i + 1;
        return (
          <fieldset key={i} className="exit-rule" aria-label={`exit rule ${n}`}>
            <legend className="small">
              Exit rule {n}
              <button
                type="button"
                className="icon"
                aria-label={`remove exit rule ${n}`}
                title="remove this exit rule"
                disabled={disabled}
                onClick={() => onChange(rules.filter((_, k) => k !== i))}
              >
                ✕
              </button>
            </legend>
            <span className="muted small">when</span>
            <ConditionEditor
              value={rule.when}
              fields={fields}
              disabled={disabled}
              onChange={(when) => put(i, { ...rule, when })}
            />
            <div className="exit-outcome">
              <span className="muted small">end the journey as</span>
              <TextInput
                ariaLabel={`exit rule ${n} outcome`}
                value={outcome}
                placeholder="became_customer"
                onCommit={(o) => put(i, { ...rule, outcome: o.trim() })}
                disabled={disabled}
              />
            </div>
            {outcome.trim() === '' && (
              <span className="field-error">
                Name the outcome: reports count the contacts who left this way under it.
              </span>
            )}
          </fieldset>
        );
      })}
      <button type="button" className="link" disabled={disabled} onClick={() => onChange([...rules, newExitRule()])}>
        + exit rule
      </button>
      <details className="raw">
        <summary>Advanced: exit rules as JSON</summary>
        <JsonInput
          ariaLabel="exit when JSON"
          value={rules}
          onCommit={(v) => onChange(Array.isArray(v) ? v : [])}
          check={(v) =>
            v === undefined || Array.isArray(v) ? null : 'a list of exit rules: [ { "when": …, "outcome": "…" } ]'
          }
          disabled={disabled}
        />
      </details>
    </div>
  );
}
