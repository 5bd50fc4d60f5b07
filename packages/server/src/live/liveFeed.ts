import { formatInstant, type Applied, type Runtime } from '@baton/engine/internal';

/** One message of the live stream: a handoff life-cycle event or a journey's progress. */
export interface LiveMessage {
  kind: 'handoff' | 'journey' | 'contact';
  name: string;
  contactId: string;
  at: string;
  data: Record<string, unknown>;
}

type Listener = (message: LiveMessage) => void;

/**
 * Carries live messages between the processes that serve one database (PostgreSQL's NOTIFY), so a rep's
 * stream hears changes whichever process made them. One process alone needs none.
 */
export interface LiveBus {
  /** Sends this process's messages to the others. */
  publish(messages: LiveMessage[]): void;
  /** Calls `listener` with the messages other processes publish; returns a function that stops it. */
  subscribe(listener: (messages: LiveMessage[]) => void): () => void;
  /**
   * Calls `listener` when messages from other processes may have been missed (the connection that hears
   * them was down and is back); returns a function that stops it.
   */
  onGap?(listener: () => void): () => void;
}
type RevocationListener = (tokenId: string) => void;

/** Turns every committed step into live messages for the designer and the inbox (served as SSE). */
export class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private readonly revocationListeners = new Set<RevocationListener>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(runtime: Runtime, bus?: LiveBus) {
    const deliver = (messages: readonly LiveMessage[]) => {
      for (const message of messages) for (const listener of this.listeners) listener(message);
    };
    const local = runtime.subscribe((applied) => {
      if (this.listeners.size === 0 && !bus) return;
      const messages = messagesOf(applied);
      deliver(messages);
      bus?.publish(messages);
    });
    const remote = bus?.subscribe(deliver);
    const gaps = bus?.onGap?.(() => this.resync());
    this.unsubscribe = () => {
      local();
      remote?.();
      gaps?.();
    };
  }

  /** Calls `listener` with every message from now on; returns a function that stops it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the open streams that a token was revoked: those opened with it end now. */
  revoke(tokenId: string): void {
    for (const listener of this.revocationListeners) listener(tokenId);
  }

  /** Calls `listener` with the id of every token revoked from now on; returns a function that stops it. */
  onRevoke(listener: RevocationListener): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /**
   * Ends the open streams (their `onClose` listeners) without closing the feed: other processes' messages
   * may have been missed, so each client reconnects and reads afresh what it shows.
   */
  resync(): void {
    for (const listener of [...this.closeListeners]) listener();
  }

  /** How many listeners there are: the live streams open on this process. */
  get listening(): number {
    return this.listeners.size;
  }

  /**
   * Calls `listener` when open streams must end: when the feed closes (the server stops), or when `resync`
   * asks them to start afresh. A stream stops listening as it ends.
   */
  onClose(listener: () => void): () => void {
    if (this.closed) {
      listener(); // a stream that opens while the server stops ends at once
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Stops the feed and ends every open stream. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
    this.listeners.clear();
    this.revocationListeners.clear();
  }
}

function messagesOf(applied: Applied): LiveMessage[] {
  const out: LiveMessage[] = [];
  for (const e of applied.effects) {
    if (e.type !== 'event') continue;
    out.push({
      kind: e.name.startsWith('Handoff ') ? 'handoff' : 'contact',
      name: e.name,
      contactId: e.contactId,
      at: formatInstant(e.at),
      data: e.properties,
    });
  }
  for (const j of applied.journal) {
    const name = j.kind === 'entered' ? 'Journey Entered' : j.kind === 'exited' ? 'Journey Exited' : 'Node Entered';
    const { kind: _kind, at, contactId, ...data } = j;
    out.push({ kind: 'journey', name, contactId, at: formatInstant(at), data });
  }
  return out;
}
