import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Runtime } from '@baton/engine/internal';
import { principal, stillValid, type ApiEnv, type Principal } from '../auth.ts';
import type { LiveFeed, LiveMessage } from '../../live/liveFeed.ts';
import type { Configuration } from '../../server/configuration.ts';
import { queuesOf } from './handoffs.ts';

/**
 * What a rep's stream carries: the life-cycle events that name them (assigned to them, reassigned away,
 * closed), and the comings and goings of work waiting unassigned in their queues: it arrives
 * (Unassigned), a colleague claims it or is given it (Reassigned from nobody, Assigned from the queue),
 * or it closes while waiting. Handoffs routed straight to a colleague stay the colleague's business.
 */
function forRep(p: Principal, m: LiveMessage, runtime: Runtime): boolean {
  if (m.kind !== 'handoff') return false;
  const { rep, from, queue, fromQueue } = m.data as {
    rep?: unknown;
    from?: unknown;
    queue?: unknown;
    fromQueue?: unknown;
  };
  if (rep === p.rep || from === p.rep) return true;
  const waitingIn = (q: unknown) => typeof q === 'string' && queuesOf(runtime.team, p.rep!).has(q);
  switch (m.name) {
    case 'Handoff Unassigned':
      return waitingIn(queue);
    case 'Handoff Assigned':
      return waitingIn(fromQueue);
    case 'Handoff Reassigned':
      return from === null && waitingIn(queue);
    case 'Handoff Closed':
      return rep === null && waitingIn(queue);
    default:
      return false;
  }
}

/**
 * The live stream (Server-Sent Events) of handoff and journey events, for the designer and the inbox. A
 * stream speaks for the token that opened it only while that token stands: revoking it ends the stream at
 * once (the live feed says so), and the token is checked again before every message and keep-alive, so
 * nothing more reaches a token that is gone, however it went.
 */
export function streamRoutes(live: LiveFeed, runtime: Runtime, config: Configuration): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => {
    const p = principal(c);
    return streamSSE(c, async (stream) => {
      let id = 0;
      const queue: LiveMessage[] = [];
      let wake: (() => void) | null = null;
      let revoked = false;
      const stop = live.listen((m) => {
        if (p.role === 'rep' && !forRep(p, m, runtime)) return;
        queue.push(m);
        wake?.();
      });
      const stopRevocations = live.onRevoke((tokenId) => {
        if (tokenId !== p.tokenId) return;
        revoked = true;
        wake?.();
      });
      // The server is stopping, or other processes' messages may have been missed (LiveFeed.resync): the
      // stream ends, and an EventSource reconnects (to another process if there is one) and reads afresh.
      let closing = false;
      const stopClosing = live.onClose(() => {
        closing = true;
        wake?.();
      });
      const open = () => !stream.aborted && !revoked && !closing && stillValid(config, p);
      stream.onAbort(() => {
        stop();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ role: p.role, rep: p.rep ?? null }) });
      while (open()) {
        const next = queue.shift();
        if (next) {
          await stream.writeSSE({ id: String(++id), event: next.kind, data: JSON.stringify(next) });
          continue;
        }
        // Wait for a message, with a comment every 15 s so proxies keep the connection open.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 15_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
        if (queue.length === 0 && open()) await stream.write(': keep-alive\n\n');
      }
      stop();
      stopRevocations();
      stopClosing();
      if (closing) return;
      // The token is gone: say so before closing (an EventSource that reconnects is then refused, 401).
      if (!stream.aborted)
        await stream.writeSSE({
          event: 'revoked',
          data: JSON.stringify({ message: 'the token of this stream was revoked' }),
        });
    });
  });
  return app;
}
