import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import type { InFlight } from '../app/observe.ts';
import type { Logger } from '../ops/logger.ts';

/** A fetch handler as Hono's `app.fetch` is: the request, and the Node bindings @hono/node-server passes. */
type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** An HTTP listener whose handler can be swapped (the starting answers, then the app). */
export interface Listener {
  port: number;
  /** Answers every request with `fetch` from now on. */
  use(fetch: Fetch): void;
  /** Takes no new connection, and ends the idle ones (keep-alive connections between requests). */
  stopAccepting(): void;
  /** Ends the idle connections left (those that finished their request since). */
  closeIdle(): void;
  /** Ends every connection left, busy or not. */
  closeAll(): void;
  /** Resolves once the listener is closed and its last connection has ended. */
  closed: Promise<void>;
}

/** Listens on `hostname:port` (0: any free port); rejects with the listen error (EADDRINUSE, say). */
export async function listen(fetch: Fetch, port: number, hostname: string): Promise<Listener> {
  let current = fetch;
  const server = await new Promise<Server>((done, fail) => {
    const s = serve({ fetch: (request: Request, env: unknown) => current(request, env), port, hostname }, () =>
      done(s as Server),
    ) as Server;
    s.once('error', fail);
  });
  const closed = new Promise<void>((done) => server.once('close', () => done()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    use: (next) => {
      current = next;
    },
    stopAccepting: () => void server.close(),
    closeIdle: () => server.closeIdleConnections(),
    closeAll: () => server.closeAllConnections(),
    closed,
  };
}

/** What a graceful stop works through. */
export interface StopPlan {
  listener: Listener;
  /** The open server: `drain` makes it not ready, `close` stops its work and its storage. */
  server: { drain(): void; close(): Promise<void>; endStreams(): void };
  inFlight: InFlight;
  log: Logger;
  /** How long to go on answering, not ready, before no longer accepting (for load balancers to notice). */
  drainDelayMs: number;
}

/**
 * Stops gracefully: `/readyz` answers 503 at once; after the drain delay no connection is accepted, the
 * live streams end, the requests in flight finish (with their commits), then the scheduler (the timer
 * being fired finishes, the other claims are released), the webhook sender (its lease released) and the
 * store (what it holds is committed) stop. Resolves when all of that is done and the last connection is gone.
 */
export async function stopGracefully(plan: StopPlan): Promise<void> {
  const { listener, server, inFlight, log } = plan;
  server.drain();
  if (plan.drainDelayMs > 0) await delay(plan.drainDelayMs);
  listener.stopAccepting();
  server.endStreams();
  log.info({ inFlight: inFlight.size }, 'no longer accepting; finishing the requests in flight');
  await inFlight.idle();
  listener.closeIdle();
  await server.close();
  listener.closeAll();
  await listener.closed;
}
