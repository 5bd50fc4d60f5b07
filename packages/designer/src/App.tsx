import { useEffect, useState } from 'react';
import { setToken, token } from './api.ts';
import { Editor } from './editor/Editor.tsx';
import { JourneyList } from './JourneyList.tsx';

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
      <p>Open the address <code>baton serve</code> printed, or paste its admin token (or a token an admin gave you).</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim());
          location.reload();
        }}
      >
        <input aria-label="API token" placeholder="bt_..." value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="primary">Sign in</button>
      </form>
    </div>
  );
}

export function App() {
  const route = useRoute();
  if (!token()) return <SignIn />;
  const editor = /^\/journeys\/([^/]+)(?:\/versions\/(\d+))?$/.exec(route);
  return (
    <div className="app">
      <header className="topbar">
        <a href="#/" className="brand">Baton</a>
        <nav>
          <a href="#/" className={editor ? '' : 'active'}>Journeys</a>
          <a href="/api/reference" target="_blank" rel="noreferrer">API</a>
        </nav>
      </header>
      {editor ? <Editor key={route} journeyId={decodeURIComponent(editor[1]!)} version={editor[2] ? Number(editor[2]) : null} /> : <JourneyList />}
    </div>
  );
}
