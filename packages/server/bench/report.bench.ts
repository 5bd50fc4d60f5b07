// `pnpm bench`: a report and an inbox list over 100k contacts on PostgreSQL (issue #15: "reports over
// 100k contacts answer in under a second"). The rows a report reads (handoffs and each contact's latest
// run) are written straight into a fresh schema with generate_series, as 100k commits would leave them,
// so the bench measures the queries and the report's assembly, not the preload.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../src/stores/postgres/postgresStore.ts';

const URL_ = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T = Date.parse('2026-11-01T00:00:00Z');

for (const n of [10_000, 30_000, 100_000]) {
  const schema = `baton_bench_${randomBytes(4).toString('hex')}`;
  const store = await PostgresStore.open({ url: URL_, schema, poolSize: 4 });
  try {
    await store.pool.query(
      `INSERT INTO baton_runs SELECT 'c'||i, 'pricing-intent', 1, ${T} + i * 1000, CASE WHEN i % 3 = 0 THEN 'exited' ELSE 'active' END,
         CASE WHEN i % 3 = 0 THEN 'won' ELSE 'handoff' END, CASE WHEN i % 6 = 0 THEN 'converted' END, '["fit","handoff","won"]'::jsonb
       FROM generate_series(1, $1::integer) i`,
      [n],
    );
    await store.pool.query(
      `INSERT INTO baton_handoffs SELECT 'c'||i, 'h'||i, 'pricing-intent', 'handoff', 1, CASE WHEN i % 3 = 0 THEN 'closed' ELSE 'open' END,
         CASE WHEN i % 2 = 0 THEN 'ana' ELSE 'bo' END, 'emea-ae', ${T} + i * 1000, NULL, CASE WHEN i % 2 = 0 THEN ${T} + i * 1000 + 3600000 END,
         i % 5 = 0, CASE WHEN i % 3 = 0 THEN 'meeting_booked' END, 100, '{}'::jsonb
       FROM generate_series(1, $1::integer) i`,
      [n],
    );
    await store.pool.query('ANALYZE');
    const time = async (what: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let k = 0; k < 3; k++) {
        const started = performance.now();
        await what();
        runs.push(performance.now() - started);
      }
      return Math.round(runs.sort((a, b) => a - b)[1]!);
    };
    console.log(`PostgreSQL, ${n} contacts with a handoff each:`, {
      reportMs: await time(() => store.report({})),
      reportOneWeekMs: await time(() => store.report({ from: T, to: T + 7 * 86_400_000 })),
      inboxFirst50Ms: await time(() => store.handoffs({ status: 'open', assignee: 'ana', limit: 50 })),
      loadsMs: await time(() => store.repLoads()),
    });
  } finally {
    await store.close();
    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
}
