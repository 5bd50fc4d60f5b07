import { basename } from 'node:path';
import type { z } from 'zod';
import { InputInvalidError, parseInput } from '@baton/engine/internal';
import { CorruptDataFileError, InvalidDataFileError } from './dataFileErrors.ts';

/**
 * A JSON document the server keeps beside the runtime store: the configuration, the webhook worker's
 * state, inbound webhook ids. A file in the data directory (lowdb) or a row in PostgreSQL.
 */
export interface Document<T> {
  /** Where it is kept, for messages: a file path, or `postgres:NAME`. */
  readonly name: string;
  /** The data, checked against the document's schema; null when there is none yet. Never writes. */
  read(): Promise<T | null>;
  /** The data and whether the schema changed it (defaults filled in), so the caller can write it back. */
  readChecked(): Promise<{ data: T; upgraded: boolean } | null>;
  /** Writes the whole document durably; writes land in the order they were made. */
  write(data: T): Promise<void>;
  /** Writes the document only if there is none yet, and returns what is kept: `data`, or the one already there. */
  create(data: T): Promise<T>;
}

/** A document several processes change (PostgreSQL): read, changed and written with nothing in between. */
export interface SharedDocument<T> extends Document<T> {
  /** Reads the document, changes it and writes it holding its row; answers what was written. */
  update(change: (stored: T | null) => T): Promise<T>;
}

/**
 * Parses a document's text: not JSON is CorruptDataFileError, JSON that fails the schema is
 * InvalidDataFileError with every problem by path. With `compare`, says whether the schema changed it.
 */
export function parseDocument<T>(
  name: string,
  text: string,
  schema: z.ZodType<T>,
  compare: boolean,
): { data: T; upgraded: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CorruptDataFileError(name, (err as Error).message);
  }
  try {
    const data = parseInput(schema, raw, basename(name));
    return { data, upgraded: compare && JSON.stringify(data) !== JSON.stringify(raw) };
  } catch (err) {
    if (err instanceof InputInvalidError)
      throw new InvalidDataFileError(
        name,
        err.errors.map((e) => `${e.path}: ${e.message}`),
      );
    throw err;
  }
}
