import { useEffect, useState, type ReactNode } from 'react';

/** A labelled row of the inspector. */
export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, inside the label, which ties them.
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

/** A text input that commits on blur or Enter, so typing is not one undo step per key. */
export function TextInput({
  value,
  onCommit,
  placeholder,
  list,
  ariaLabel,
  disabled,
}: {
  value: string;
  onCommit: (v: string) => void;
  placeholder?: string;
  list?: string;
  ariaLabel?: string;
  disabled?: boolean;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <input
      value={text}
      placeholder={placeholder}
      list={list}
      aria-label={ariaLabel}
      disabled={disabled}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text !== value && onCommit(text)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
      }}
    />
  );
}

/** A multi-line text that commits on blur. */
export function TextArea({
  value,
  onCommit,
  rows = 3,
  ariaLabel,
  disabled,
}: {
  value: string;
  onCommit: (v: string) => void;
  rows?: number;
  ariaLabel?: string;
  disabled?: boolean;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <textarea
      rows={rows}
      value={text}
      aria-label={ariaLabel}
      disabled={disabled}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text !== value && onCommit(text)}
    />
  );
}

export function Select<T extends string>({
  value,
  options,
  onChange,
  ariaLabel,
  disabled,
}: {
  value: T | '';
  options: readonly T[];
  onChange: (v: T) => void;
  ariaLabel?: string;
  disabled?: boolean;
}) {
  return (
    <select value={value} aria-label={ariaLabel} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
      {value === '' && <option value="">choose…</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** Any JSON value, edited as text; invalid JSON is shown and not committed. */
export function JsonInput({
  value,
  onCommit,
  rows = 4,
  ariaLabel,
  disabled,
  check,
}: {
  value: unknown;
  onCommit: (v: unknown) => void;
  rows?: number;
  ariaLabel?: string;
  disabled?: boolean;
  /** What is wrong with a parsed value, said for the user; such a value is shown and not committed. */
  check?: (v: unknown) => string | null;
}) {
  const initial = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [text, setText] = useState(initial);
  const [bad, setBad] = useState<string | null>(null);
  useEffect(() => setText(initial), [initial]);
  return (
    <>
      <textarea
        className={bad ? 'bad-json' : ''}
        rows={rows}
        value={text}
        aria-label={ariaLabel}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (text === initial) return;
          if (text.trim() === '') {
            setBad(null);
            onCommit(undefined);
            return;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (e) {
            setBad(`not JSON: ${(e as Error).message}`);
            return;
          }
          const wrong = check?.(parsed) ?? null;
          setBad(wrong);
          if (wrong === null) onCommit(parsed);
        }}
      />
      {bad && <span className="field-error">{bad}</span>}
    </>
  );
}
