import { BatonError, InputInvalidError, JourneyInvalidError, type ValidationError } from '@baton/engine/internal';

/** An error as it crosses from a worker thread: what the main thread needs to answer as it would have. */
export interface WorkerFailure {
  code: string | null;
  message: string;
  errors?: ValidationError[];
}

/** What to send for an error thrown in a worker. */
export function failureOf(err: unknown): WorkerFailure {
  if (err instanceof BatonError) {
    const errors = err instanceof InputInvalidError || err instanceof JourneyInvalidError ? err.errors : undefined;
    return { code: err.code, message: err.message, ...(errors ? { errors } : {}) };
  }
  return { code: null, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

/** The error to throw on the main thread: the same class, code, message and details as in the worker. */
export function errorOf(failure: WorkerFailure): Error {
  let err: Error;
  if (failure.code === 'journey_invalid' && failure.errors) err = new JourneyInvalidError(failure.errors);
  else if (failure.code === 'input_invalid' && failure.errors) err = new InputInvalidError(failure.errors);
  else if (failure.code !== null) err = new BatonError(failure.code, failure.message);
  else err = new Error(`a simulation worker failed: ${failure.message}`);
  err.message = failure.message;
  return err;
}
