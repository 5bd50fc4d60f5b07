import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, token } from '../api.ts';
import { backupKey, type DraftJourney } from '../model/index.ts';

/** How long the editor waits after the last change before it saves the draft (ms). */
export const AUTOSAVE_MS = 2000;
/** The largest body a page may still send while it unloads (the browser's keepalive limit is 64 KiB). */
const KEEPALIVE_BYTES = 60_000;

export type SaveState = { kind: 'saved' | 'saving' | 'unsaved' } | { kind: 'error'; message: string };

/**
 * Unsaved work is never lost: every change is kept in the browser at once (restored when the journey is
 * opened again), the draft is saved to the server after a short pause, leaving the editor inside Baton
 * saves what is left, and leaving the page (reload, a link out, closing the tab) asks first.
 */
export function useAutosave(journey: DraftJourney, initialSaved: string, readOnly: boolean) {
  const [saved, setSaved] = useState(initialSaved);
  const [state, setState] = useState<SaveState>({ kind: 'saved' });
  const text = useMemo(() => JSON.stringify(journey), [journey]);
  const dirty = !readOnly && text !== saved;

  const put = useCallback(
    async (body: string): Promise<boolean> => {
      setState({ kind: 'saving' });
      try {
        await api('PUT', `/journeys/${encodeURIComponent(journey.id)}/draft`, JSON.parse(body));
        setSaved(body);
        setState({ kind: 'saved' });
        return true;
      } catch (e) {
        setState({ kind: 'error', message: (e as Error).message });
        return false;
      }
    },
    [journey.id],
  );

  // Kept in the browser at once; dropped when the server has it.
  useEffect(() => {
    if (readOnly) return;
    if (dirty) localStorage.setItem(backupKey(journey.id), JSON.stringify({ at: new Date().toISOString(), journey }));
    else localStorage.removeItem(backupKey(journey.id));
  }, [dirty, journey, readOnly]);

  // Saved to the server after a pause in editing.
  useEffect(() => {
    if (!dirty) return;
    setState((s) => (s.kind === 'error' ? s : { kind: 'unsaved' }));
    const t = setTimeout(() => void put(text), AUTOSAVE_MS);
    return () => clearTimeout(t);
  }, [dirty, text, put]);

  // Leaving the page with changes the server does not have yet: ask, and send them if they fit.
  useEffect(() => {
    if (!dirty) return;
    const onLeave = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
      if (text.length < KEEPALIVE_BYTES) {
        void fetch(`/api/journeys/${encodeURIComponent(journey.id)}/draft`, {
          method: 'PUT',
          keepalive: true,
          headers: { authorization: `Bearer ${token() ?? ''}`, 'content-type': 'application/json' },
          body: text,
        });
      }
    };
    addEventListener('beforeunload', onLeave);
    return () => removeEventListener('beforeunload', onLeave);
  }, [dirty, text, journey.id]);

  // Leaving the editor inside Baton (a link, Back): what is unsaved is saved on the way out.
  const latest = useRef({ dirty, text });
  latest.current = { dirty, text };
  useEffect(() => () => void (latest.current.dirty && put(latest.current.text)), [put]);

  return { dirty, state, saveNow: () => put(text), markSaved: (journeyText: string) => setSaved(journeyText) };
}
