import { lazy, Suspense, useEffect, useState } from 'react';
import { setToken, token } from './api.ts';
import { JourneyList } from './JourneyList.tsx';
import { api, type Me } from './api.ts';

// The inbox and reports (with Chart.js) load on their own: a marketer's editor does not wait for them.
const Inbox = lazy(() => import('./inbox/Inbox.tsx').then((m) => ({ default: m.Inbox })));
const Reports = lazy(() => import('./reports/Reports.tsx').then((m) => ({ default: m.Reports })));
// So does the editor (React Flow, the engine's validation): the journey list and the inbox open without it.
const Editor = lazy(() => import('./editor/Editor.tsx').then((m) => ({ default: m.Editor })));

/** What a rep sees where the designer or the reports would be: the way to their work, not an error. */
function ForReps({ what }: { what: string }) {
  return (
    <main className="list" data-testid="not-for-reps">
      <h1>{what} are for marketers and admins</h1>
      <p>
        Your handoffs are in the <a href="/inbox">inbox</a>.
      </p>
    </main>
  );
}

/** `#/` is the journey list; `#/journeys/ID` the editor; `#/journeys/ID/versions/N` an old version, read-only. */
function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

function SignIn() {
  const [value, setValue] = useState('');
  return (
    <div className="signin">
      <h1>Baton</h1>
      <p>
        Open the address <code>baton serve</code> printed, or paste its admin token (or a token an admin gave you).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim());
          location.reload();
        }}
      >
        <input aria-label="API token" placeholder="bt_..." value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="primary">
          Sign in
        </button>
      </form>
    </div>
  );
}

/** The caller, from the token: the navigation and the inbox depend on the role. */
function useMe(): Me | null | 'signed-out' {
  const [me, setMe] = useState<Me | null | 'signed-out'>(null);
  useEffect(() => {
    if (!token()) return setMe('signed-out');
    api<Me>('GET', '/me').then(setMe, () => setMe('signed-out'));
  }, []);
  return me;
}

export function App() {
  const route = useRoute();
  const me = useMe();
  if (me === 'signed-out') return <SignIn />;
  if (me === null) return null;
  // The inbox and reports have paths of their own (/inbox, /reports); the designer lives at /.
  const page = location.pathname.replace(/\/$/, '') || '/';
  const editor = page === '/' ? /^\/journeys\/([^/]+)(?:\/versions\/(\d+))?$/.exec(route) : null;
  const view = page === '/inbox' ? 'inbox' : page === '/reports' ? 'reports' : 'journeys';
  return (
    <div className="app">
      <header className="topbar">
        <a href="/#/" className="brand">
          Baton
        </a>
        <nav>
          {me.role !== 'rep' && (
            <a href="/#/" className={view === 'journeys' ? 'active' : ''}>
              Journeys
            </a>
          )}
          <a href="/inbox" className={view === 'inbox' ? 'active' : ''}>
            Inbox
          </a>
          {me.role !== 'rep' && (
            <a href="/reports" className={view === 'reports' ? 'active' : ''}>
              Reports
            </a>
          )}
          <a href="/api/reference" target="_blank" rel="noreferrer">
            API
          </a>
        </nav>
        <span className="whoami" title={me.rep}>
          {me.role === 'rep' ? `${me.repName ?? me.rep ?? me.name} (rep)` : me.role}
        </span>
      </header>
      <Suspense
        fallback={
          <main className="list">
            <p className="muted">Loading…</p>
          </main>
        }
      >
        {view === 'inbox' ? (
          <Inbox me={me} />
        ) : view === 'reports' ? (
          me.role === 'rep' ? (
            <ForReps what="Reports" />
          ) : (
            <Reports />
          )
        ) : editor && me.role === 'rep' ? (
          <ForReps what="Journeys" />
        ) : editor ? (
          <Editor
            key={route}
            journeyId={decodeURIComponent(editor[1]!)}
            version={editor[2] ? Number(editor[2]) : null}
          />
        ) : me.role === 'rep' ? (
          <Inbox me={me} />
        ) : (
          <JourneyList />
        )}
      </Suspense>
    </div>
  );
}
