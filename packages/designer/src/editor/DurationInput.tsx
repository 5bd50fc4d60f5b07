import { useEffect, useState } from 'react';
import { DURATION_UNITS, looksIso, readDuration, splitDuration, type DurationUnit } from '../model/duration.ts';

/**
 * A duration as a number and a unit (3 days, 4 hours); an ISO 8601 duration typed into the number field
 * is kept as it is (P1DT12H). Commits on blur or Enter; empty commits undefined.
 */
export function DurationInput({
  value,
  onCommit,
  ariaLabel,
  disabled,
  placeholder,
  required,
}: {
  value: string;
  onCommit: (iso: string | undefined) => void;
  ariaLabel: string;
  disabled?: boolean;
  placeholder?: string;
  /** Said beside the field when it is emptied; the empty value is then not committed. */
  required?: string;
}) {
  const split = splitDuration(value);
  const [text, setText] = useState(split ? String(split.amount) : value);
  const [unit, setUnit] = useState<DurationUnit>(split?.unit ?? 'days');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const s = splitDuration(value);
    setText(s ? String(s.amount) : value);
    if (s) setUnit(s.unit);
  }, [value]);
  const commit = (t: string, u: DurationUnit) => {
    const read = readDuration(t, u, looksIso);
    if ('problem' in read) return setProblem(read.problem);
    if ('empty' in read && required) return setProblem(required);
    setProblem(null);
    const next = 'iso' in read ? read.iso : undefined;
    if (next !== (value || undefined)) onCommit(next);
  };
  const custom = text.trim() !== '' && !/^\d+$/.test(text.trim());
  return (
    <>
      <span className="duration">
        <input
          aria-label={ariaLabel}
          inputMode="numeric"
          value={text}
          placeholder={placeholder ? String(splitDuration(placeholder)?.amount ?? placeholder) : undefined}
          disabled={disabled}
          className={problem ? 'bad-json' : ''}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => commit(text, unit)}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
        <select
          aria-label={`${ariaLabel} unit`}
          value={custom ? '' : unit}
          disabled={disabled || custom}
          onChange={(e) => {
            const u = e.target.value as DurationUnit;
            setUnit(u);
            commit(text, u);
          }}
        >
          {custom && <option value="">ISO</option>}
          {DURATION_UNITS.map((u) => (
            <option key={u.unit} value={u.unit}>
              {u.unit}
            </option>
          ))}
        </select>
      </span>
      {problem && <span className="field-error">{problem}</span>}
    </>
  );
}
