import type { ValidationError } from '../validate/issues.ts';

/** Every Baton error has a stable code and a message that says how to fix it. */
export class BatonError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'BatonError';
  }
}

/** A journey that does not validate. */
export class JourneyInvalidError extends BatonError {
  constructor(readonly errors: ValidationError[]) {
    super('journey_invalid', `journey is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
}

/** Input that does not match its schema (an event, a script, a team). */
export class InputInvalidError extends BatonError {
  constructor(readonly errors: ValidationError[], what = 'input') {
    super('input_invalid', `${what} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
}

/** An event whose messageId was already applied: it is applied once. */
export class DuplicateMessageError extends BatonError {
  constructor(messageId: string) {
    super('duplicate_message', `messageId ${messageId} was already applied`);
  }
}

/** A commit built on a state that another writer changed meanwhile; the runtime retries it. */
export class ConflictError extends BatonError {
  constructor(contactId: string) {
    super('conflict', `contact ${contactId} was changed by another writer; retry`);
  }
}
