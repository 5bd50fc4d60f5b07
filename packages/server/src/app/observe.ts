import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { BatonError } from '@baton/engine';
import type { Logger } from '../ops/logger.ts';
import type { Metrics } from '../ops/metrics.ts';
import { answerHeader, requestHeader } from './nodeHttp.ts';

/** A request id we take from the caller: printable, no spaces or quotes, at most 128 characters. */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The requests being answered now: a draining server waits for them (and their commits) to finish. */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** How many requests are being answered. */
  get size(): number {
    return this.count;
  }

  /** A request began. */
  enter(): void {
    this.count++;
  }

  /** A request's answer is ready (a stream's answer begins: streams end on their own). */
  leave(): void {
    if (--this.count > 0) return;
    for (const done of this.waiters.splice(0)) done();
  }

  /** Resolves when no request is being answered. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((done) => this.waiters.push(done));
  }
}

/** What the intake answered for one request: a single call's status, or a batch's counts. */
export type IntakeAnswer = {
  success?: unknown;
  status?: unknown;
  reason?: unknown;
  applied?: unknown;
  duplicates?: unknown;
  skipped?: unknown;
  rejected?: unknown;
  error?: { code?: unknown };
};

const isIntake = (c: Context) =>
  c.req.method === 'POST' && c.req.path.startsWith('/v1/') && c.req.path !== '/v1/inbound';

/** The Hono environment of every request: where an intake route leaves what it answered, for `observe`. */
export type ObservedEnv = { Variables: { intakeAnswer?: IntakeAnswer } };

/**
 * The intake's answer, kept for `observe` to count its events from the object itself instead of parsing
 * the body it becomes (the intake is the hot path). A context variable: wrapping `c.json` on every intake
 * request to catch the object cost a tracked call about a quarter of its CPU (issue #17: the collector's
 * share of the process was 17.5% with it, 6.6% without; docs/BENCHMARKS.md, "The request around a tracked
 * call").
 */
export function answerIntake(c: Context<ObservedEnv>, answer: IntakeAnswer): Response {
  c.set('intakeAnswer', answer);
  return c.json(answer);
}

/** Counts the events of one intake request: accepted by what became of them, refused by error code. */
async function countIntake(c: Context, answer: IntakeAnswer | undefined, metrics: Metrics): Promise<void> {
  const n = (x: unknown) => (typeof x === 'number' ? x : 0);
  if (c.res.status < 300 && answer) {
    if (Array.isArray(answer.rejected)) {
      metrics.eventsAccepted.inc({ status: 'applied' }, n(answer.applied));
      metrics.eventsAccepted.inc({ status: 'duplicate' }, n(answer.duplicates));
      metrics.eventsAccepted.inc({ status: 'skipped' }, n(answer.skipped));
      if (answer.rejected.length > 0) metrics.eventsRefused.inc({ reason: 'input_invalid' }, answer.rejected.length);
    } else if (typeof answer.status === 'string') {
      metrics.eventsAccepted.inc({ status: answer.status });
    }
    return;
  }
  // Refused whole: the code is the Baton error's, or in the body of an HTTP error.
  let code: unknown = c.error instanceof BatonError ? c.error.code : undefined;
  if (typeof code !== 'string')
    code = (
      (await c.res
        .clone()
        .json()
        .catch(() => null)) as IntakeAnswer | null
    )?.error?.code;
  metrics.eventsRefused.inc({ reason: typeof code === 'string' ? code : `http_${c.res.status}` });
}

/**
 * Every request: an id (the caller's `x-request-id` when it is a valid one, or a new UUID) returned in
 * `x-request-id`, one JSON log line (method, path without its query, route, status, milliseconds; the
 * error and its stack for a 5xx), the latency histogram, and the intake's event counts. Headers, query
 * strings and bodies are never logged: tokens, write keys and secrets travel there.
 */
export function observe(log: Logger, metrics: Metrics, inFlight: InFlight): MiddlewareHandler<ObservedEnv> {
  // A request line's fields are fixed and hold no secret (the path is logged without its query, the id
  // is checked above), so it skips the logger's redaction, which costs a tracked event 2% of its CPU.
  // Error lines carry an error object: they keep it.
  const requests = log.child({}, { redact: { paths: [] } });
  return async (c, next) => {
    const started = performance.now();
    const given = requestHeader(c, 'x-request-id');
    const reqId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    // Set before the route answers, so the answer is built with it (nodeHttp.ts). Off `baton serve`,
    // answers not built from the context (errors) get it afterwards.
    const set = answerHeader(c, 'x-request-id', reqId);
    inFlight.enter();
    try {
      await next();
    } finally {
      inFlight.leave();
    }
    if (!set && c.res.headers.get('x-request-id') !== reqId) c.res.headers.set('x-request-id', reqId);
    const { status } = c.res;
    const ms = performance.now() - started;
    const route = c.req.routePath;
    metrics.httpSeconds.observe({ method: c.req.method, route, status: String(status) }, ms / 1000);
    if (isIntake(c)) await countIntake(c, c.get('intakeAnswer'), metrics);
    const line = { reqId, method: c.req.method, path: c.req.path, route, status, ms: Math.round(ms * 10) / 10 };
    if (status >= 500 && c.error instanceof BatonError)
      // A refusal Baton chose (a busy line, a write conflict, the store out of reach): its code, no stack.
      log.warn({ ...line, code: c.error.code, message: c.error.message }, 'request refused');
    else if (status >= 500 && c.error) log.error({ ...line, err: c.error }, 'request failed');
    else requests.info(line, 'request');
  };
}
