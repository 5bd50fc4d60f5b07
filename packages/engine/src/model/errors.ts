/** One problem in a document: where (JSON path and node id) and what is wrong. */
export interface ValidationError {
  /** JSONPath of the offending value, such as `$.nodes[2].duration`. */
  path: string;
  /** Id of the node the problem belongs to, or null for journey-level problems. */
  node: string | null;
  message: string;
}

/** The result every validator returns: valid, or every problem at once. */
export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
}

/** Every Baton error has a stable code and a message that says how to fix it. */
export class BatonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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
  constructor(
    readonly errors: ValidationError[],
    what = 'input',
  ) {
    super('input_invalid', `${what} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
}

/** An event whose messageId was already applied: it is applied once. */
export class DuplicateMessageError extends BatonError {
  constructor(messageId: string) {
    super('duplicate_message', `messageId ${messageId} was already applied`);
  }
}

/**
 * A commit built on a state that another writer changed meanwhile; the runtime retries it. Seen by a
 * caller only when the retries ran out, which is transient (HTTP 503): the same call may be sent again.
 */
export class ConflictError extends BatonError {
  constructor(contactId: string, message = `contact ${contactId} was changed by another writer while this step ran`) {
    super('write_conflict', message);
  }
}

/** A commit whose routing change (a queue cursor, a rep's load) lost the race for the routing desk. */
export class DeskConflictError extends ConflictError {
  constructor() {
    super('(routing desk)', 'the routing desk was changed by another writer while this step ran');
  }
}

/**
 * Thrown by a step that reached a handoff, or set a timer due at once, in a runtime that defers handoffs
 * (RuntimeOptions.deferHandoffs): the step commits nothing, and the contact is stepped again where
 * handoffs are routed. Not a BatonError: nothing went wrong. One instance, made once: an error's stack
 * trace costs more than the rest of the step (issue #17).
 */
export class HandoffDeferred extends Error {
  static readonly instance = new HandoffDeferred();
  private constructor() {
    super('handoff deferred: this runtime does not route (RuntimeOptions.deferHandoffs)');
    this.name = 'HandoffDeferred';
  }
}
