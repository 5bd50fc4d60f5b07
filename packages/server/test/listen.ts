import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { openServer, type ServerOptions } from '../src/index.ts';
import { freshDir } from './harness.ts';

/** A request as the server saw it: what a real client library sent. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** Baton on a fresh data directory, listening on 127.0.0.1 at a free port, recording the requests it gets. */
export async function listenBaton(options: Partial<ServerOptions> = {}) {
  const server = await openServer({ data: freshDir(), tickMs: 10_000, ...options });
  const seen: SeenRequest[] = [];
  // node-server's bindings (its Node request and response) go on to the app, as `baton serve` passes them.
  const fetch = (request: Request, env: unknown) => {
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      headers: Object.fromEntries(request.headers),
    });
    return server.app.fetch(request, env);
  };
  const listener = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
  });
  const address = listener.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await globalThis.fetch(`${base}/api${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${server.config.data.adminToken}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
    return (await res.json()) as T;
  };
  return {
    server,
    base,
    seen,
    writeKey: server.config.data.writeKey,
    api,
    async stop() {
      (listener as Server).closeAllConnections();
      await new Promise((done) => listener.close(done));
      await server.close();
    },
  };
}
