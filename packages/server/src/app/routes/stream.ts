import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Runtime } from '@baton/engine';
import { principal, type ApiEnv, type Principal } from '../auth.ts';
import type { LiveFeed, LiveMessage } from '../../live/liveFeed.ts';
import { queuesOf } from './handoffs.ts';

/**
 * What a rep's stream carries: the life-cycle events that name them (assigned to them, reassigned away,
 * closed), and work waiting unassigned in their queues.
 */
function forRep(p: Principal, m: LiveMessage, runtime: Runtime): boolean {
  if (m.kind !== 'handoff') return false;
  const { rep, from, queue } = m.data as { rep?: unknown; from?: unknown; queue?: unknown };
  if (rep === p.rep || from === p.rep) return true;
  return m.name === 'Handoff Unassigned' && typeof queue === 'string' && queuesOf(runtime.team, p.rep!).has(queue);
}

/** The live stream (Server-Sent Events) of handoff and journey events, for the designer and the inbox. */
export function streamRoutes(live: LiveFeed, runtime: Runtime): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => {
    const p = principal(c);
    return streamSSE(c, async (stream) => {
      let id = 0;
      const queue: LiveMessage[] = [];
      let wake: (() => void) | null = null;
      const stop = live.listen((m) => {
        if (p.role === 'rep' && !forRep(p, m, runtime)) return;
        queue.push(m);
        wake?.();
      });
      stream.onAbort(() => {
        stop();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ role: p.role, rep: p.rep ?? null }) });
      while (!stream.aborted) {
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
        if (queue.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
      }
      stop();
    });
  });
  return app;
}
