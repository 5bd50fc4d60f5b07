import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { isDraftJourney } from './model/index.ts';
import type { DraftJourney } from './model/draft.ts';
import { api, ApiError, type JourneySummary } from './api.ts';

// The dialog and its templates (the examples, laid out by dagre) load when it opens.
const NewJourneyDialog = lazy(() => import('./NewJourneyDialog.tsx').then((m) => ({ default: m.NewJourneyDialog })));

/** Every journey: status, version, whether the draft is valid; new, import and open. */
export function JourneyList() {
  const [journeys, setJourneys] = useState<JourneySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const [creating, setCreating] = useState(false);

  const load = () =>
    api<{ journeys: JourneySummary[] }>('GET', '/journeys').then(
      (r) => setJourneys(r.journeys),
      (e: Error) => setError(e.message),
    );
  useEffect(() => void load(), []);

  /** Saves the new journey's first draft and opens it; a refusal stays in the dialog, said there. */
  const create = async (journey: DraftJourney) => {
    await api('POST', '/journeys', journey);
    location.hash = `#/journeys/${journey.id}`;
  };

  const importFile = async (f: File) => {
    try {
      const parsed: unknown = JSON.parse(await f.text());
      if (!isDraftJourney(parsed))
        throw new Error(`${f.name} is not a journey: it needs an "id" and a list of "nodes"`);
      const journey = parsed.ui?.positions
        ? parsed
        : { ...parsed, ui: { ...parsed.ui, positions: (await import('./model/layout.ts')).layoutJourney(parsed) } };
      const exists = journeys?.some((j) => j.id === journey.id);
      await (exists ? api('PUT', `/journeys/${journey.id}/draft`, journey) : api('POST', '/journeys', journey));
      location.hash = `#/journeys/${journey.id}`;
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <main className="list">
      <div className="list-head">
        <h1>Journeys</h1>
        <div className="actions">
          <button type="button" onClick={() => file.current?.click()}>
            Import JSON
          </button>
          <input
            ref={file}
            type="file"
            accept="application/json,.json"
            hidden
            onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])}
          />
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New journey
          </button>
        </div>
      </div>
      {error && <p className="error-banner">{error}</p>}
      {creating && journeys && (
        <Suspense fallback={null}>
          <NewJourneyDialog
            taken={new Map(journeys.map((j) => [j.id, j.name || j.id]))}
            onCreate={create}
            onClose={() => setCreating(false)}
          />
        </Suspense>
      )}
      {!journeys ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className="journeys">
          <thead>
            <tr>
              <th>Journey</th>
              <th>Status</th>
              <th>Version</th>
              <th>Draft</th>
              <th>Published</th>
            </tr>
          </thead>
          <tbody>
            {journeys.map((j) => (
              <tr key={j.id} onClick={() => (location.hash = `#/journeys/${j.id}`)}>
                <td>
                  <a href={`#/journeys/${j.id}`}>{j.name}</a>
                  <div className="muted small">{j.id}</div>
                </td>
                <td>
                  <span className={`pill ${j.status}`}>{j.status}</span>
                </td>
                <td>{j.version ? `v${j.version}` : '–'}</td>
                <td>
                  {j.draft ? (
                    <span className={j.draft.valid ? 'ok' : 'bad'}>
                      {j.draft.valid ? 'ready to publish' : 'has problems'}
                    </span>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
                <td className="muted">{j.publishedAt ? new Date(j.publishedAt).toLocaleString() : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
