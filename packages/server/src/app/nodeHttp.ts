import { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * Node's own request and response under `baton serve` (@hono/node-server hands them to the app as its
 * env), or undefined where the app is called with a web Request (`app.request` in tests, another runtime).
 *
 * The intake reads and answers through them where Hono's web objects cost more than the rest of a
 * tracked event: `c.req.header()` makes node-server build an undici `Headers` of the whole request, and a
 * header set on an answer already built (as `secureHeaders` does after the route) turns the answer's
 * headers into an undici `Headers` too. Node's request keeps its headers as a plain object, and headers
 * set on Node's response before the answer are merged into it when it is written.
 */
export function nodeHttp(c: Context): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  const env = c.env as { incoming?: unknown; outgoing?: unknown } | undefined;
  return env?.incoming instanceof IncomingMessage && env.outgoing instanceof ServerResponse
    ? { incoming: env.incoming, outgoing: env.outgoing }
    : undefined;
}

/** A request header (its name in lower case), read without building the web request's headers. */
export function requestHeader(c: Context, name: string): string | undefined {
  const node = nodeHttp(c);
  if (!node) return c.req.header(name);
  const value = node.incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Sets a header of the answer before the route builds it: on Node's response under `baton serve` (whatever
 * the answer turns out to be, an error or a stream included), or on the context's prepared headers.
 * Returns whether it went to Node's response (then nothing needs setting afterwards).
 */
export function answerHeader(c: Context, name: string, value: string, options?: { append?: boolean }): boolean {
  const node = nodeHttp(c);
  if (!node) {
    c.header(name, value, options);
    return false;
  }
  const { outgoing } = node;
  const had = options?.append ? outgoing.getHeader(name) : undefined;
  outgoing.setHeader(name, had === undefined ? value : `${String(had)}, ${value}`);
  return true;
}
