import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { Id } from '@baton/engine/internal';
import { useModal } from './useModal.ts';
import { newJourney } from './model/index.ts';
import type { DraftJourney } from './model/draft.ts';
import { fromTemplate, type JourneyTemplate, loadTemplates } from './journeyTemplates.ts';

export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'journey';

/** The first id from a name that no journey has: `welcome-series`, then `welcome-series-2`, … */
function freeId(name: string, taken: ReadonlyMap<string, string>): string {
  let id = slug(name);
  for (let i = 2; taken.has(id); i++) id = `${slug(name)}-${i}`;
  return id;
}

/** What is wrong with an id, in words, or null. */
function idProblem(id: string, taken: ReadonlyMap<string, string>): string | null {
  const parsed = Id.safeParse(id);
  if (!parsed.success) return `The id ${parsed.error.issues[0]!.message}.`;
  const other = taken.get(id);
  return other === undefined ? null : `“${other}” already has the id ${id}: choose another.`;
}

const BLANK = '';

/**
 * A new journey: blank or a copy of one of the examples, under a name and an id checked as they are typed
 * (the id follows the name until the user edits it). `taken` maps the ids in use to their journeys' names.
 */
export function NewJourneyDialog({
  taken,
  onCreate,
  onClose,
}: {
  taken: ReadonlyMap<string, string>;
  onCreate: (journey: DraftJourney) => Promise<void>;
  onClose: () => void;
}) {
  const [templates, setTemplates] = useState<JourneyTemplate[] | null>(null);
  const [choice, setChoice] = useState(BLANK);
  const [name, setName] = useState('');
  const [ownId, setOwnId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const nameField = useRef<HTMLInputElement>(null);
  const box = useModal<HTMLFormElement>(onClose);
  const ids = useId();
  // Before the paint (its code loads on first use, so it shows a moment after the click): a name typed at
  // once goes into the field.
  useLayoutEffect(() => nameField.current?.focus(), []);
  useEffect(() => {
    loadTemplates().then(setTemplates, (e: Error) => setFailed(`The examples could not be loaded: ${e.message}`));
  }, []);
  const template = templates?.find((t) => t.key === choice) ?? null;
  const id = ownId ?? (name.trim() ? freeId(name.trim(), taken) : '');
  const nameProblem = name.trim() ? null : 'Give the journey a name.';
  const problem = id ? idProblem(id, taken) : null;
  const ok = !nameProblem && !problem && id !== '';
  const create = async () => {
    if (!ok || busy) return;
    setBusy(true);
    try {
      await onCreate(template ? fromTemplate(template.journey, id, name.trim()) : newJourney(id, name.trim()));
    } catch (e) {
      setFailed((e as Error).message);
      setBusy(false);
    }
  };
  const pick = (key: string) => {
    const before = templates?.find((t) => t.key === choice)?.journey.name ?? '';
    setChoice(key);
    // The name follows the template picked, until the user types one of their own.
    const next = templates?.find((t) => t.key === key)?.journey.name ?? '';
    if (name === '' || name === before) setName(next);
  };
  return (
    <div className="modal-backdrop">
      <form
        className="modal new-journey"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${ids}-title`}
        ref={box}
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h2 id={`${ids}-title`}>New journey</h2>
        <fieldset className="templates">
          <legend>Start from</legend>
          <label className={choice === BLANK ? 'template picked' : 'template'}>
            <input type="radio" name="template" checked={choice === BLANK} onChange={() => pick(BLANK)} />
            <span>
              <strong>Blank journey</strong>
              <span className="muted small">a trigger and nothing else yet</span>
            </span>
          </label>
          {templates === null && !failed && <p className="muted small">Loading the examples…</p>}
          {templates?.map((t) => (
            <label key={t.key} className={choice === t.key ? 'template picked' : 'template'}>
              <input type="radio" name="template" checked={choice === t.key} onChange={() => pick(t.key)} />
              <span>
                <strong>{t.journey.name ?? t.key}</strong>
                <span className="muted small">Example: {t.summary}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Name</span>
          <input
            ref={nameField}
            value={name}
            placeholder="Welcome series"
            aria-invalid={nameProblem !== null && name !== ''}
            aria-describedby={`${ids}-name-error`}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Id</span>
          <input
            value={id}
            aria-invalid={problem !== null}
            aria-describedby={`${ids}-id-error ${ids}-id-hint`}
            spellCheck={false}
            onChange={(e) => setOwnId(e.target.value)}
          />
        </label>
        <p id={`${ids}-id-hint`} className="field-hint">
          In the journey's address and the API; it cannot be changed later.
        </p>
        <p id={`${ids}-name-error`} className="field-error" role="status">
          {name !== '' || ownId !== null ? nameProblem : null}
        </p>
        <p id={`${ids}-id-error`} className="field-error" role="status" data-testid="new-journey-id-problem">
          {problem}
        </p>
        {failed && <p className="error-banner">{failed}</p>}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!ok || busy}>
            Create journey
          </button>
        </div>
      </form>
    </div>
  );
}
