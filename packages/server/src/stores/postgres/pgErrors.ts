import { BatonError } from '@baton/engine/internal';

/** The database cannot be reached or failed: the caller may retry (HTTP 503). */
export class StoreUnavailableError extends BatonError {
  constructor(cause: Error) {
    super('store_unavailable', `the database is not reachable (${cause.message}); try again shortly`);
  }
}

/**
 * Errors of the connection (refused, reset, the server shutting down) become StoreUnavailableError, for
 * every query Baton makes: the contacts' store and the server's documents (configuration, deliveries).
 */
export function unavailable(err: Error): Error {
  const code = (err as { code?: string }).code ?? '';
  // Class 08 (connection exception), 57P (the server shutting down or cutting the session), 53
  // (insufficient resources: too many connections), the socket's own errors, and pg's words for a
  // client whose connection is gone or could not be had in time.
  const connection =
    /^(08|57P|53)/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN'].includes(code) ||
    /Connection terminated|not queryable|Client was closed|timeout exceeded when trying to connect/i.test(err.message);
  return connection ? new StoreUnavailableError(err) : err;
}
