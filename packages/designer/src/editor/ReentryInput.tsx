import { DurationInput } from './DurationInput.tsx';

type Mode = 'never' | 'after_exit' | 'duration';

/** What a marketer picks among for re-entry (SPEC §5 `reentry`), in their words. */
const MODES: { mode: Mode; label: string }[] = [
  { mode: 'never', label: 'never: a contact enters once' },
  { mode: 'after_exit', label: 'again, once they have left' },
  { mode: 'duration', label: 'again, after a while' },
];

/** The time between two entries a marketer starts from when they pick "after a while". */
export const DEFAULT_REENTRY_GAP = 'P30D';

export const reentryMode = (value: string): Mode =>
  value === '' || value === 'never' ? 'never' : value === 'after_exit' ? 'after_exit' : 'duration';

/**
 * Re-entry as a choice: never (the default), after the contact has left, or after a duration (the
 * least time between two entries, typed as a number and a unit, ISO 8601 still accepted).
 */
export function ReentryInput({
  value,
  onCommit,
  disabled,
}: {
  value: string;
  onCommit: (reentry: string) => void;
  disabled?: boolean;
}) {
  const mode = reentryMode(value);
  return (
    <span className="reentry">
      <select
        aria-label="re-entry"
        value={mode}
        disabled={disabled}
        onChange={(e) => {
          const next = e.target.value as Mode;
          if (next === mode) return;
          onCommit(next === 'duration' ? DEFAULT_REENTRY_GAP : next);
        }}
      >
        {MODES.map((m) => (
          <option key={m.mode} value={m.mode}>
            {m.label}
          </option>
        ))}
      </select>
      {mode === 'duration' && (
        <span className="reentry-gap">
          <span className="muted small">at least</span>
          <DurationInput
            ariaLabel="time between entries"
            value={value}
            // Emptying the gap is not "no re-entry": it is said, and the last gap kept.
            required="say how long, or pick never above"
            onCommit={(iso) => iso && onCommit(iso)}
            disabled={disabled}
          />
          <span className="muted small">after entering</span>
        </span>
      )}
    </span>
  );
}
