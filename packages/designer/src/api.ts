import type { ReportHandoff } from '@baton/engine/internal';

/** The designer's only door to the server: the API with the token the user opened Baton with. */

const KEY = 'baton.token';

/** Takes `#token=...` from the address `baton serve` printed, keeps it, and cleans the address bar. */
export function adoptTokenFromUrl(): void {
  const match = /[#&]token=([^&]+)/.exec(location.hash);
  if (!match) return;
  localStorage.setItem(KEY, decodeURIComponent(match[1]!));
  history.replaceState(null, '', location.pathname === '/' ? '/#/' : location.pathname);
}

export const token = () => localStorage.getItem(KEY);
export const setToken = (value: string) => localStorage.setItem(KEY, value);

/** An API error with the server's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: { path: string; node: string | null; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Calls the API; a non-2xx answer throws an ApiError with the server's message. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token() ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string; errors?: ApiError['errors'] };
  };
  if (!res.ok)
    throw new ApiError(
      res.status,
      data.error?.code ?? 'error',
      data.error?.message ?? `HTTP ${res.status}`,
      data.error?.errors,
    );
  return data as T;
}

export interface JourneySummary {
  id: string;
  name: string;
  status: 'draft' | 'published' | 'archived';
  version: number | null;
  publishedAt: string | null;
  draft: { updatedAt: string; valid: boolean } | null;
}

export interface JourneyDetail extends JourneySummary {
  definition: unknown;
  draftDefinition: unknown;
  versions: { version: number; publishedAt: string }[];
}

export interface TeamShape {
  reps: { id: string; name?: string; team?: 'sales' | 'service' }[];
  queues: { id: string; members: string[] }[];
  calendars: Record<string, unknown>;
}

/** Who the token speaks for. */
export interface Me {
  role: 'admin' | 'marketer' | 'rep';
  rep?: string;
  /** The rep's name in the team. */
  repName?: string;
  name: string;
}

/** A handoff as the API shows it to a rep: the §8 report fields, and the record's context. */
export interface HandoffView extends ReportHandoff {
  id: string;
  title: string;
  priority: string;
  team: string;
  journey: string;
  contactId: string;
  status: 'open' | 'closed';
  createdAt: string;
  value: number | null;
  outcomes: string[];
  why: string[];
  trace: string[];
  rejectedBy: { rep: string; reason: string | null; at: string }[];
  context: {
    traits: Record<string, unknown>;
    scores: Record<string, number>;
    timeline: { name: string; at: string; properties: Record<string, unknown> }[];
    path: string[];
    messages: { node: string; action: string; at: string; suppressed: boolean }[];
    talkTrack: string | null;
    nextBestActions: string[];
  };
}

/**
 * Calls `reload` when live events of the given kinds arrive, or the stream reconnects, at most once per
 * `waitMs`: a burst of events is one reload, not one per event. Returns the function that stops listening.
 */
export function reloadOnLive(kinds: readonly string[], reload: () => void, waitMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = listenLive((kind) => {
    if ((kind !== 'reconnected' && !kinds.includes(kind)) || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      reload();
    }, waitMs);
  });
  return () => {
    stop();
    if (timer !== null) clearTimeout(timer);
  };
}

function listenLive(
  onMessage: (kind: string, data: { name: string; contactId: string; data: Record<string, unknown> }) => void,
): () => void {
  const source = new EventSource(`/api/stream?access_token=${encodeURIComponent(token() ?? '')}`);
  for (const kind of ['handoff', 'journey', 'contact'])
    source.addEventListener(kind, (e) => onMessage(kind, JSON.parse((e as MessageEvent<string>).data)));
  // Every stream starts with `ready`. A later one is a reconnect (the server restarted, or asked the
  // client to start afresh after it may have missed messages): what the page shows is read again.
  let opened = false;
  source.addEventListener('ready', () => {
    if (opened) onMessage('reconnected', { name: 'reconnected', contactId: '', data: {} });
    opened = true;
  });
  return () => source.close();
}
