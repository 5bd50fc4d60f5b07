// `pnpm bench` for the server: what a step of a long-lived contact costs the stores that keep it, by the
// length of its past (0, 300 and 990 events: the same bench at three sizes, the contact with no past being
// the baseline of the same run). Each contact takes EVENTS commits, one event each, as the runtime makes
// them (withEvent: every 32nd folds its newest events into the older part). lowdb: journal bytes an event
// (no snapshot in between) and commits a second; PostgreSQL: WAL bytes an event and commits a second.
// Then whole steps through the runtime (read, step, commit), as a server takes events: steps a second and
// this process's CPU a step, for the same pasts on both stores.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JourneyCatalog,
  newContactState,
  Runtime,
  VirtualClock,
  withEvent,
  Workspace,
  type ContactState,
  type Store,
  type Timeline,
} from '@baton/engine/internal';
import { benchJourney, benchWorkspace } from '../../engine/bench/journey.ts';
import { LowdbStore } from '../src/stores/lowdbStore.ts';
import { PostgresStore } from '../src/stores/postgres/postgresStore.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 200);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 64);
const PASTS = [0, 300, 990];
const PG_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const T = Date.parse('2026-11-23T09:00:00Z');

/** CONTACTS contacts with `past` events each, committed. */
async function create(store: Store, past: number): Promise<ContactState[]> {
  let timeline: Timeline = { history: [] };
  for (let i = 0; i < past; i++)
    timeline = withEvent(timeline, { name: 'Page Viewed', at: T - (past - i) * 60_000, properties: {} });
  // Each contact its own arrays, as each stored contact has (the same events).
  const states = Array.from({ length: CONTACTS }, (_, i): ContactState => {
    const fresh = newContactState(`c${i}`, T);
    const own = { history: [...timeline.history], recent: [...(timeline.recent ?? [])] };
    return { ...fresh, contact: { ...fresh.contact, ...own }, version: 1 };
  });
  await Promise.all(
    states.map((s) => store.commit({ contactId: s.contact.id, expectedVersion: 0, state: s, effects: [] })),
  );
  return states;
}

/**
 * EVENTS events for each contact through the runtime (the engine bench's journey: counts, a score, pauses),
 * all contacts at a time: steps a second, and this process's CPU (µs) a step.
 */
async function steps(store: Store): Promise<{ rate: number; cpuMicros: number }> {
  const catalog = new JourneyCatalog();
  catalog.publish(benchJourney);
  const runtime = new Runtime({
    store,
    clock: new VirtualClock(T),
    catalog,
    workspace: Workspace.parse(benchWorkspace),
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let v = 0; v < EVENTS; v++)
    await Promise.all(
      Array.from({ length: CONTACTS }, (_, i) =>
        runtime.ingest({
          type: 'track',
          userId: `c${i}`,
          event: v === 0 ? 'Signed Up' : 'Feature Used',
          properties: {},
        }),
      ),
    );
  const used = process.cpuUsage(cpu);
  return {
    rate: Math.round((CONTACTS * EVENTS) / ((performance.now() - started) / 1000)),
    cpuMicros: Math.round((used.user + used.system) / (CONTACTS * EVENTS)),
  };
}

/** EVENTS commits for each contact, all contacts at a time; commits a second. */
async function step(store: Store, states: ContactState[]): Promise<number> {
  const started = performance.now();
  for (let v = 2; v < 2 + EVENTS; v++) {
    await Promise.all(
      states.map(async (s, i) => {
        const e = { name: 'Feature Used', at: T + v * 1000, properties: { n: v } };
        const next: ContactState = { ...s, contact: { ...s.contact, ...withEvent(s.contact, e) }, version: v };
        await store.commit({ contactId: s.contact.id, expectedVersion: v - 1, state: next, effects: [] });
        states[i] = next;
      }),
    );
  }
  return Math.round((CONTACTS * EVENTS) / ((performance.now() - started) / 1000));
}

const journalBytes = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('runtime.journal.'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);

const perEvent = (bytes: number) => Math.round(bytes / (CONTACTS * EVENTS));

/** A fresh lowdb store in a directory of its own for `run`, removed after. */
async function withLowdb<T>(run: (store: LowdbStore, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-long-'));
  const store = await LowdbStore.open(dir, { compactBytes: 2 ** 40, fixedCompactBytes: true });
  try {
    return await run(store, dir);
  } finally {
    await store.close();
    await rm(dir, { recursive: true });
  }
}

/** A fresh PostgreSQL schema for `run`, dropped after. */
let schemas = 0;
async function withPostgres<T>(run: (store: PostgresStore) => Promise<T>): Promise<T> {
  const schema = `baton_bench_long_${process.pid}_${schemas++}`;
  const store = await PostgresStore.open({ url: PG_URL, schema, poolSize: 8 });
  try {
    return await run(store);
  } finally {
    await store.pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await store.close();
  }
}

/** Where PostgreSQL's write-ahead log is, in bytes. */
async function walAt(store: PostgresStore): Promise<number> {
  const [row] = (await store.pool.query<{ at: string }>('SELECT pg_current_wal_lsn()::text AS at')).rows;
  const [hi, lo] = row!.at.split('/');
  return Number.parseInt(hi!, 16) * 2 ** 32 + Number.parseInt(lo!, 16);
}

const pastOf = (past: number) => `${String(past).padStart(3)} past events`;

console.log(
  `long-lived contacts: ${CONTACTS} contacts, ${EVENTS} commits each, by the events already on their timeline`,
);
for (const past of PASTS)
  await withLowdb(async (store, dir) => {
    const states = await create(store, past);
    const before = journalBytes(dir);
    const rate = await step(store, states);
    console.log(
      `lowdb, ${pastOf(past)}: ${rate} commits/s, ${perEvent(journalBytes(dir) - before)} journal bytes an event`,
    );
  });
for (const past of PASTS)
  await withPostgres(async (store) => {
    const states = await create(store, past);
    const before = await walAt(store);
    const rate = await step(store, states);
    console.log(
      `PostgreSQL, ${pastOf(past)}: ${rate} commits/s, ${perEvent((await walAt(store)) - before)} WAL bytes an event`,
    );
  });

console.log(
  `whole steps through the runtime: ${CONTACTS} contacts, ${EVENTS} events each, by the events already on their timeline`,
);
for (const [name, using] of [
  ['lowdb', withLowdb],
  ['PostgreSQL', withPostgres],
] as const)
  for (const past of PASTS)
    await using(async (store: Store) => {
      await create(store, past);
      const { rate, cpuMicros } = await steps(store);
      console.log(`${name}, ${pastOf(past)}: ${rate} steps/s, ${cpuMicros} µs of CPU a step (this process)`);
    });
