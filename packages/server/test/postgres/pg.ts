import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL every machine of this project runs; BATON_TEST_DATABASE_URL points elsewhere. */
export const PG_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const made: string[] = [];

/** A fresh schema name for one store under test; `dropSchemas` removes every one made here. */
export function freshSchema(): string {
  const name = `baton_t_${randomBytes(6).toString('hex')}`;
  made.push(name);
  return name;
}

/** Drops the schemas this test file made. */
export async function dropSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const s of made.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await client.end();
  }
}
