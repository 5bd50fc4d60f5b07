import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { nodeHttp } from './nodeHttp.ts';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/** The headers Hono's `secureHeaders` gives an answer with these options, read once off a probe app. */
async function headersOf(options: SecureHeadersOptions): Promise<[string, string][]> {
  const probe = new Hono();
  probe.use('*', secureHeaders(options));
  probe.get('/', (c) => c.body(null, 204));
  const res = await probe.request('/');
  return [...res.headers];
}

/**
 * Hono's `secureHeaders` on every answer, at a cost that does not show on the intake. Under `baton serve`
 * the headers (computed once, by `secureHeaders` itself) are set on Node's response before the route runs,
 * so every answer is written with them: set after the route, as `secureHeaders` does, they turned each
 * answer's headers into an undici `Headers` (a tenth of a tracked event's CPU with the request id). Where
 * the app answers a web Request (`app.request`), it is `secureHeaders` as is. As with `secureHeaders`, the
 * values are fixed: a route does not set these headers itself.
 */
export function secureAnswers(options: SecureHeadersOptions): MiddlewareHandler {
  const web = secureHeaders(options);
  let headers: [string, string][] | undefined;
  let probing: Promise<[string, string][]> | undefined;
  return async (c, next) => {
    const node = nodeHttp(c);
    if (!node) return web(c, next);
    headers ??= await (probing ??= headersOf(options));
    for (const [name, value] of headers) node.outgoing.setHeader(name, value);
    await next();
  };
}
