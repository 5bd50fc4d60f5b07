import type pg from 'pg';
import type { z } from 'zod';
import { BatonError } from '@baton/engine';
import { parseDocument, type SharedDocument } from '../document.ts';
import { unavailable } from './pgErrors.ts';

/** The channel on which every process hears that a document changed (the payload is its name). */
export const DOCUMENTS_CHANNEL = 'baton_documents';

/**
 * A server document kept as one row of `baton_documents`. A write replaces the row and notifies every
 * process listening on DOCUMENTS_CHANNEL in the same statement, so the others reload what changed.
 */
export class PgDocument<T> implements SharedDocument<T> {
  readonly name: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: pg.Pool,
    private readonly key: string,
    private readonly schema: z.ZodType<T>,
  ) {
    this.name = `postgres:${key}`;
  }

  async read(): Promise<T | null> {
    return (await this.readChecked())?.data ?? null;
  }

  /** A query whose connection errors are StoreUnavailableError (HTTP 503, try again), as the store's are. */
  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw unavailable(err as Error);
    }
  }

  async readChecked(): Promise<{ data: T; upgraded: boolean } | null> {
    const { rows } = await this.query<{ body: string }>('SELECT body FROM baton_documents WHERE name = $1', [this.key]);
    return rows[0] ? parseDocument(this.name, rows[0].body, this.schema, true) : null;
  }

  async create(data: T): Promise<T> {
    const { rowCount } = await this.query(
      'INSERT INTO baton_documents (name, body) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [this.key, JSON.stringify(data)],
    );
    return rowCount === 1 ? data : ((await this.read()) as T);
  }

  write(data: T): Promise<void> {
    const body = JSON.stringify(data);
    const run = this.writing.then(async () => {
      await this.query(WRITE, [this.key, body, DOCUMENTS_CHANNEL]);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** In one transaction that holds the document's row, so no other process writes between the read and the write. */
  update(change: (stored: T | null) => T): Promise<T> {
    const run = this.writing.then(async () => {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw unavailable(err as Error);
      }
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ body: string }>(
          'SELECT body FROM baton_documents WHERE name = $1 FOR UPDATE',
          [this.key],
        );
        const next = change(rows[0] ? parseDocument(this.name, rows[0].body, this.schema, false).data : null);
        await client.query(WRITE, [this.key, JSON.stringify(next), DOCUMENTS_CHANNEL]);
        await client.query('COMMIT');
        return next;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err instanceof BatonError ? err : unavailable(err as Error);
      } finally {
        client.release();
      }
    });
    this.writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/** Writes a document's row and tells every process listening, in one statement. */
const WRITE = `WITH w AS (INSERT INTO baton_documents (name, body) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = now() RETURNING name)
  SELECT pg_notify($3, name) FROM w`;
