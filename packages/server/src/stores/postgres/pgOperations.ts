import type pg from 'pg';
import { MIGRATIONS } from './migrations.ts';

/**
 * Whether the database answers and its schema is at least the one this Baton migrates to (another, newer
 * process may have migrated further); throws with why not. One small indexed query: `/readyz` runs it.
 */
export async function checkSchema(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM baton_migrations');
  const version = rows[0]?.version ?? 0;
  if (version < MIGRATIONS.length)
    throw new Error(`the schema is at migration ${version}, this Baton needs ${MIGRATIONS.length}`);
}

/** Gives up the timer claims of one owner (a process stopping), so another process fires those timers now. */
export async function releaseTimerClaims(pool: pg.Pool, owner: string): Promise<void> {
  await pool.query('UPDATE baton_timers SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner]);
}
