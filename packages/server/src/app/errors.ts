import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BatonError, InputInvalidError, JourneyInvalidError } from '@baton/engine';

const STATUS: Record<string, ContentfulStatusCode> = {
  input_invalid: 400,
  journey_invalid: 422,
  outcome_not_declared: 422,
  handoff_not_open: 409,
  not_assigned: 409,
  already_accepted: 409,
  conflict: 409,
  // Another writer kept winning the race for the same contact or the routing desk: transient, send again.
  write_conflict: 503,
  store_unavailable: 503,
  // The data directory could not be written, or another process took it: nothing was applied, and a
  // sender should send it again (to this server once restarted, or to the one that holds the data now).
  store_failed: 503,
  data_dir_lock_lost: 503,
  // A database that answered a commit in a way this Baton does not know (another version's schema).
  store_answer_unknown: 500,
  // Population simulations running and waiting, as many as the server takes (simulation/threads.ts).
  simulations_busy: 503,
  not_assignee: 403,
  unknown_rep: 404,
  not_found: 404,
  unauthorized: 401,
};

/** An HTTP error with a stable code and a message that says how to fix it. */
export function httpError(status: ContentfulStatusCode, code: string, message: string): HTTPException {
  return new HTTPException(status, { res: Response.json({ error: { code, message } }, { status }) });
}

/** Seconds to wait before sending a refused (503) request again, where one second is too soon. */
const RETRY_AFTER: Record<string, string> = {
  // A population run lasts seconds: asked again after one, the line would most likely still be full.
  simulations_busy: '5',
};

/**
 * The one place errors become HTTP: Baton errors keep their code and message, HTTP exceptions their
 * response; anything else is a bug, answered 500 without a stack trace (the request's log line has it).
 */
export function onError(err: Error, c: Context): Response {
  if (err instanceof HTTPException) return err.getResponse();
  if (err instanceof BatonError) {
    const details =
      err instanceof InputInvalidError || err instanceof JourneyInvalidError ? { errors: err.errors } : {};
    const status = STATUS[err.code] ?? 400;
    if (status === 503) c.header('retry-after', RETRY_AFTER[err.code] ?? '1');
    return c.json({ error: { code: err.code, message: err.message, ...details } }, status);
  }
  // The request's log line carries the error and its stack (app/observe.ts).
  return c.json(
    { error: { code: 'internal', message: 'internal error: this is a bug in Baton, and it was logged' } },
    500,
  );
}
