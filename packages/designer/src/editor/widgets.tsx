import type { ReactNode } from 'react';
import type { TeamShape } from '../api.ts';
import { isRecord } from '../model/draft.ts';
import { str } from '../model/slots.ts';
import { Select, TextInput } from './fields.tsx';

/** A routing target picker: rep, owner field or queue, with the team's reps and queues offered. */
export function TargetEditor({
  value,
  onChange,
  team,
  disabled,
  optional,
}: {
  value: unknown;
  onChange: (t: unknown) => void;
  team: TeamShape | null;
  disabled: boolean;
  optional?: boolean;
}) {
  const t = isRecord(value) ? value : {};
  const kind = 'rep' in t ? 'rep' : 'owner' in t ? 'owner' : 'queue' in t ? 'queue' : '';
  const options =
    kind === 'rep'
      ? (team?.reps.map((r) => r.id) ?? [])
      : kind === 'queue'
        ? (team?.queues.map((q) => q.id) ?? [])
        : [];
  return (
    <div className="target">
      <Select
        ariaLabel="target kind"
        value={kind as 'rep' | 'owner' | 'queue' | ''}
        options={optional ? (['none', 'queue', 'rep', 'owner'] as const) : (['queue', 'rep', 'owner'] as const)}
        disabled={disabled}
        onChange={(k) =>
          onChange(
            k === 'none'
              ? undefined
              : k === 'owner'
                ? { owner: 'contact.ownerId' }
                : { [k]: (k === 'rep' ? team?.reps[0]?.id : team?.queues[0]?.id) ?? '' },
          )
        }
      />
      {kind === 'owner' ? (
        <TextInput
          ariaLabel="owner field"
          value={str(t.owner)}
          onCommit={(owner) => onChange({ owner })}
          disabled={disabled}
        />
      ) : kind ? (
        <Select
          ariaLabel={`${kind} id`}
          value={str(t[kind])}
          options={options}
          onChange={(id) => onChange({ [kind]: id })}
          disabled={disabled}
        />
      ) : null}
    </div>
  );
}

/** A list editor: each item rendered by `render`, with add and remove. */
export function ListEditor<T>({
  items,
  render,
  add,
  onChange,
  disabled,
  addLabel,
}: {
  items: T[];
  render: (item: T, set: (v: T) => void, i: number) => ReactNode;
  add: () => T;
  onChange: (items: T[]) => void;
  disabled: boolean;
  addLabel: string;
}) {
  return (
    <div className="list-editor">
      {items.map((item, i) => (
        <div key={i} className="list-item">
          <div className="list-item-body">
            {render(item, (v) => onChange(items.map((x, k) => (k === i ? v : x))), i)}
          </div>
          <button
            type="button"
            className="icon"
            title="remove"
            disabled={disabled}
            onClick={() => onChange(items.filter((_, k) => k !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" className="link" disabled={disabled} onClick={() => onChange([...items, add()])}>
        {addLabel}
      </button>
    </div>
  );
}

/** Removes one key from an object. */
export const without = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
