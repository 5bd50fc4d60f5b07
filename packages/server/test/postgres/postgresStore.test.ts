import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compareIds,
  ConflictError,
  DeskConflictError,
  DuplicateMessageError,
  eventsOf,
  JourneyCatalog,
  newContactState,
  newDesk,
  Runtime,
  withEvent,
  type ContactState,
  type TimerRecord,
} from '@baton/engine/internal';
import { eventOf, past } from '../foldWriterRun.ts';
import { handoff, runStoreContract } from '@baton/engine/store-contract';
import { MIGRATIONS } from '../../src/stores/postgres/migrations.ts';
import { PgDocument } from '../../src/stores/postgres/pgDocument.ts';
import { openStorage } from '../../src/host/storage.ts';
import { PostgresStore, StoreUnavailableError } from '../../src/stores/postgres/postgresStore.ts';
import { within } from '../batonProcess.ts';
import { dropSchemas, freshSchema, PG_URL } from './pg.ts';

const T = Date.parse('2026-11-23T09:00:00Z');
const open = (schema = freshSchema()) => PostgresStore.open({ url: PG_URL, schema, poolSize: 4 });

afterAll(dropSchemas);

/** What the database answers for the older events of each read `store` makes: whole (an array) or left out (null). */
function olderPartsAnswered(store: PostgresStore): unknown[] {
  const answered: unknown[] = [];
  const query = store.pool.query.bind(store.pool);
  store.pool.query = (async (sql: unknown, values?: unknown[]) => {
    const result = await query(sql as string, values);
    if (typeof sql === 'string' && sql.includes('history_held')) answered.push(result.rows[0]?.history);
    return result;
  }) as typeof store.pool.query;
  return answered;
}

/**
 * A schema as an older version of Baton left it: the migrations before the one that `names`, then what
 * `fill` puts in it (written as that version wrote it).
 */
async function schemaBefore(names: string, fill: (client: pg.Client) => Promise<unknown>): Promise<string> {
  const schema = freshSchema();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
    await client.query(
      'CREATE TABLE baton_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const before = MIGRATIONS.findIndex((sql) => sql.includes(names));
    for (const [i, sql] of MIGRATIONS.slice(0, before).entries()) {
      await client.query(sql);
      await client.query('INSERT INTO baton_migrations (version) VALUES ($1)', [i + 1]);
    }
    await client.query('INSERT INTO baton_desk (id, version, state) VALUES (1, 0, $1)', [JSON.stringify(newDesk())]);
    await fill(client);
  } finally {
    await client.end();
  }
  return schema;
}

// One schema for the contract suite, emptied before each store it asks for (a schema per store would
// spend the suite's time migrating).
const contractSchema = freshSchema();
runStoreContract('postgres', async () => {
  const store = await open(contractSchema);
  await store.pool.query(
    'TRUNCATE baton_contacts, baton_messages, baton_timers, baton_handoffs, baton_runs, baton_outbox', // (the loads go with the handoffs)
  );
  await store.pool.query('UPDATE baton_desk SET version = 0, state = $1', [JSON.stringify(newDesk())]);
  return store;
});

describe('PostgreSQL store', () => {
  it('migrates once when several processes start together, and opens an existing schema as it is', async () => {
    const schema = freshSchema();
    const stores = await Promise.all([open(schema), open(schema), open(schema)]);
    await stores[0]!.commit({
      contactId: 'c1',
      expectedVersion: 0,
      state: newContactState('c1', T, { plan: 'pro' }),
      effects: [],
    });
    const [{ n }] = (await stores[1]!.pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM baton_migrations'))
      .rows as [{ n: number }];
    expect(n).toBe(MIGRATIONS.length);
    expect((await stores[2]!.load('c1'))?.contact.traits).toEqual({ plan: 'pro' });
    await Promise.all(stores.map((s) => s.close()));
    const again = await open(schema);
    expect((await again.load('c1'))?.version).toBe(1);
    await again.close();
  });

  it('refuses only the commit that conflicts in a batch, and applies the others', async () => {
    const store = await open();
    await store.commit({ contactId: 'c1', expectedVersion: 0, state: newContactState('c1', T), effects: [] });
    const results = await Promise.allSettled([
      store.commit({ contactId: 'c1', expectedVersion: 0, state: newContactState('c1', T), effects: [] }),
      store.commit({ contactId: 'c2', expectedVersion: 0, state: newContactState('c2', T), effects: [] }),
      store.commit({
        contactId: 'c3',
        expectedVersion: 0,
        state: newContactState('c3', T),
        messageId: 'm',
        effects: [],
      }),
      store.commit({
        contactId: 'c4',
        expectedVersion: 0,
        state: newContactState('c4', T),
        messageId: 'm',
        effects: [],
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected']);
    expect((await store.contactIds()).sort()).toEqual(['c1', 'c2', 'c3']);
    await store.close();
  });

  it('steps holding the desk: waits for the process that holds it, reads what it left, and no other commit gets in between', async () => {
    const schema = freshSchema();
    const [store, other] = [await open(schema), await open(schema)];
    await store.commit({
      contactId: 'c0',
      expectedVersion: 0,
      state: newContactState('c0', T),
      messageId: 'm0',
      effects: [],
    });
    // Another process holds the desk and moves it on.
    const holder = await other.pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM baton_desk WHERE id = 1 FOR UPDATE');
    const { rows: held } = await holder.query<{ xid: string }>('SELECT pg_current_xact_id()::xid::text AS xid');
    const seen: number[] = [];
    // What the third writer's commit ended with, caught as it ends: it may fail before the test looks.
    let theirs: Promise<unknown> | undefined;
    const stepping = store.stepHoldingDesk('c1', 'm1', (read) => {
      const desk = read.routing!.desk;
      seen.push(desk.version);
      // A third writer tries the desk while this step holds it: it waits, then finds the desk moved on.
      theirs = other
        .commitDesk({
          expectedVersion: desk.version,
          state: { cursors: {}, reps: { bo: { active: false } } },
        })
        .then(
          () => 'committed',
          (err: unknown) => err,
        );
      return {
        contactId: 'c1',
        expectedVersion: read.state?.version ?? 0,
        state: newContactState('c1', T),
        messageId: 'm1',
        effects: [],
        desk: { expectedVersion: desk.version, state: { cursors: {}, reps: { ana: { active: false } } } },
      };
    });
    // The step waits on the holder's lock (seen by PostgreSQL, not by a timer).
    for (;;) {
      const { rows } = await other.pool.query<{ n: number }>(
        "SELECT count(*)::integer AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid' AND transactionid::text = $1",
        [held[0]!.xid],
      );
      if (rows[0]!.n > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen).toEqual([]);
    await holder.query(
      'UPDATE baton_desk SET version = version + 1, state = \'{"cursors":{},"reps":{}}\' WHERE id = 1',
    );
    await holder.query('COMMIT');
    holder.release();
    expect(await stepping).toBe('applied');
    expect(seen).toEqual([1]);
    expect(await theirs).toBeInstanceOf(DeskConflictError);
    expect(await store.loadDesk()).toEqual({ version: 2, state: { cursors: {}, reps: { ana: { active: false } } } });
    expect((await store.load('c1'))?.version).toBe(1);

    // A message applied already: nothing is stepped. A refused commit changes nothing, desk included.
    let called = false;
    expect(await store.stepHoldingDesk('c9', 'm0', () => ((called = true), undefined as never))).toBe('duplicate');
    expect(called).toBe(false);
    const stale = store.stepHoldingDesk('c1', 'm2', (read) => ({
      contactId: 'c1',
      expectedVersion: 0,
      state: newContactState('c1', T),
      messageId: 'm2',
      effects: [],
      desk: { expectedVersion: read.routing!.desk.version, state: newDesk() },
    }));
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect((await store.loadDesk()).version).toBe(2);
    expect(await store.hasMessage('m2')).toBe(false);
    await Promise.all([store.close(), other.close()]);
  });

  it('changes the desk holding it: waits for the process that holds it and builds on what it left, losing neither change', async () => {
    const schema = freshSchema();
    const [store, other] = [await open(schema), await open(schema)];
    // Another process holds the desk and makes bo inactive, not yet committed.
    const holder = await other.pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM baton_desk WHERE id = 1 FOR UPDATE');
    await holder.query('UPDATE baton_desk SET version = version + 1, state = $1 WHERE id = 1', [
      JSON.stringify({ cursors: { q: 1 }, reps: { bo: { active: false } } }),
    ]);
    let done = false;
    const changing = store
      .changeDeskHolding((desk) => ({ ...desk, reps: { ...desk.reps, ana: { capacity: 3 } } }))
      .then(() => {
        done = true;
      });
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false); // it waits for the desk
    await holder.query('COMMIT');
    holder.release();
    await changing;
    // Built on the holder's desk: both changes are there, one version after the other.
    expect(await store.loadDesk()).toEqual({
      version: 2,
      state: { cursors: { q: 1 }, reps: { bo: { active: false }, ana: { capacity: 3 } } },
    });
    await Promise.all([store.close(), other.close()]);
  });

  it("counts a timer whose claim's lease ran out as due again (its owner died), for the overdue gauge", async () => {
    const store = await open();
    try {
      const timer: TimerRecord = {
        id: 't1',
        contactId: 'c1',
        journeyId: 'j',
        run: 1,
        node: 'wait',
        timer: 'wait',
        dueAt: T + 1000,
      };
      const state = { ...newContactState('c1', T), timers: [timer] };
      await store.commit({ contactId: 'c1', expectedVersion: 0, state, effects: [] });
      expect(await store.nextDueAt(T)).toBe(T + 1000);
      await store.claimDueTimers({ owner: 'dead', dueBy: T + 5000, limit: 10, now: T + 2000, leaseUntil: T + 60_000 });
      expect(await store.nextDueAt(T + 2000)).toBeNull(); // claimed, the lease still runs
      expect(await store.nextDueAt(T + 60_000)).toBe(T + 1000); // the owner never fired it
    } finally {
      await store.close();
    }
  });

  /** Each rep's open assigned handoffs, counted over every handoff row: what the loads must say. */
  const countedLoads = async (store: PostgresStore) => {
    const { rows } = await store.pool.query<{ assignee: string; n: number }>(
      "SELECT assignee, count(*)::integer AS n FROM baton_handoffs WHERE status = 'open' AND assignee IS NOT NULL GROUP BY assignee",
    );
    return Object.fromEntries(rows.map((r) => [r.assignee, r.n]));
  };

  it('keeps each rep load as the open assigned handoffs, whichever process commits, forgets or folds, folds running together (property)', async () => {
    const schema = freshSchema();
    const stores = [await open(schema), await open(schema)];
    const reps = ['ana', 'bo', '__proto__'];
    const op = fc.record({
      by: fc.constantFrom(0, 1),
      contact: fc.constantFrom('c1', 'c2', 'c3'),
      // The contact's handoffs after the commit (null: the contact is forgotten); a fold may run alongside.
      handoffs: fc.option(
        fc.uniqueArray(
          fc.record({
            n: fc.integer({ min: 1, max: 3 }),
            status: fc.constantFrom('open' as const, 'closed' as const),
            assignee: fc.option(fc.constantFrom(...reps), { nil: null }),
          }),
          { maxLength: 3, selector: (h) => h.n },
        ),
        { nil: null },
      ),
      fold: fc.constantFrom('none', 'before', 'alongside', 'both') as fc.Arbitrary<
        'none' | 'before' | 'alongside' | 'both'
      >,
    });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
          await stores[0]!.pool.query('TRUNCATE baton_contacts, baton_handoffs'); // (and so the loads)
          const versions = new Map<string, number>();
          for (const o of ops) {
            const store = stores[o.by]!;
            const expectedVersion = versions.get(o.contact) ?? 0;
            if (o.handoffs === null && expectedVersion === 0) continue;
            const state =
              o.handoffs === null
                ? newContactState(o.contact, T)
                : {
                    ...newContactState(o.contact, T),
                    handoffs: o.handoffs.map((h) =>
                      handoff({
                        id: `${o.contact}-h${h.n}`,
                        contactId: o.contact,
                        status: h.status,
                        assignee: h.assignee,
                      }),
                    ),
                  };
            const commit = store.commit({
              contactId: o.contact,
              expectedVersion,
              state,
              effects: [],
              ...(o.handoffs === null ? { forget: true } : {}),
            });
            const other = stores[1 - o.by]!;
            if (o.fold === 'before') await other.foldLoads();
            await Promise.all([
              commit,
              o.fold === 'alongside' || o.fold === 'both' ? other.foldLoads() : undefined,
              o.fold === 'both' ? store.foldLoads() : undefined,
            ]);
            if (o.handoffs === null) versions.delete(o.contact);
            else versions.set(o.contact, expectedVersion + 1);
            const want = await countedLoads(store);
            expect({ ...(await stores[0]!.repLoads()) }).toEqual(want);
            expect({ ...(await stores[1]!.repLoads()) }).toEqual(want);
            expect((await store.readStep('c0', undefined, true)).routing?.loads).toEqual(await stores[0]!.repLoads());
          }
          // A fold moves every change into the totals: then the totals alone are the loads.
          await stores[0]!.foldLoads();
          const { rows: left } = await stores[0]!.pool.query<{ n: number }>(
            'SELECT count(*)::integer AS n FROM baton_rep_load_changes',
          );
          expect(left[0]!.n).toBe(0);
          const { rows: totals } = await stores[0]!.pool.query<{ assignee: string; open: number }>(
            'SELECT assignee, open FROM baton_rep_loads WHERE open <> 0',
          );
          expect(Object.fromEntries(totals.map((r) => [r.assignee, r.open]))).toEqual(await countedLoads(stores[0]!));
        }),
        { numRuns: 30 },
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 120_000);

  it('tells of a fold that fails, keeps the changes, and folds them once it can', async () => {
    const store = await open();
    const failures: string[] = [];
    store.onFoldFailed = (err) => failures.push(err.message);
    const commit = (contactId: string, assignee: string) =>
      store.commit({
        contactId,
        expectedVersion: 0,
        state: { ...newContactState(contactId, T), handoffs: [handoff({ id: `${contactId}-h`, contactId, assignee })] },
        effects: [],
      });
    try {
      // The totals cannot be written: every fold fails, and the commits and their changes go on.
      await store.pool.query('ALTER TABLE baton_rep_loads RENAME TO baton_rep_loads_away');
      await commit('c1', 'ana');
      await within(
        5000,
        'the failed fold told',
        (async () => {
          while (failures.length === 0) await new Promise((r) => setTimeout(r, 20));
        })(),
      );
      expect(failures[0]).toMatch(/baton_rep_loads/);
      await store.pool.query('ALTER TABLE baton_rep_loads_away RENAME TO baton_rep_loads');
      await new Promise((r) => setTimeout(r, 150)); // past the least time between folds
      await commit('c2', 'ana');
      await store.foldLoads();
      const { rows } = await store.pool.query<{ n: number }>(
        'SELECT count(*)::integer AS n FROM baton_rep_load_changes',
      );
      expect(rows[0]!.n).toBe(0);
      expect({ ...(await store.repLoads()) }).toEqual({ ana: 2 });
    } finally {
      await store.close();
    }
  });

  it('counts the loads of the handoffs already open when it adds the kept loads to a schema in use', async () => {
    // The schema as the version before the kept loads left it, with handoffs open and closed.
    const schema = await schemaBefore('CREATE TABLE baton_rep_loads', (client) =>
      client.query(
        `INSERT INTO baton_handoffs (contact_id, handoff_id, journey_id, node, run, status, assignee, created_at, breached, record)
         SELECT 'c' || i, 'h' || i, 'j', 'n', 1, CASE WHEN i % 4 = 0 THEN 'closed' ELSE 'open' END,
           CASE WHEN i % 5 = 0 THEN NULL ELSE (ARRAY['ana', 'bo', '__proto__'])[1 + i % 3] END, i, false, '{}'::jsonb
         FROM generate_series(1, 200) AS i`,
      ),
    );
    const store = await open(schema);
    try {
      const want = await countedLoads(store);
      expect(Object.keys(want).sort()).toEqual(['__proto__', 'ana', 'bo']);
      expect({ ...(await store.repLoads()) }).toEqual(want);
      // And from then on as handoffs change: one closed, one reassigned.
      await store.pool.query("UPDATE baton_handoffs SET status = 'closed' WHERE handoff_id = 'h1'");
      await store.pool.query("UPDATE baton_handoffs SET assignee = 'bo' WHERE handoff_id = 'h2'");
      expect({ ...(await store.repLoads()) }).toEqual(await countedLoads(store));
      await store.foldLoads();
      expect({ ...(await store.repLoads()) }).toEqual(await countedLoads(store));
    } finally {
      await store.close();
    }
  });

  it("keeps a long timeline's older events in a column of their own, sent only when a fold changes them", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    try {
      const fresh = newContactState('long', T);
      let state: ContactState = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
      await store.commit({ contactId: 'long', expectedVersion: 0, state, effects: [] });
      // What each commit sends for the older events (null: the row keeps what it holds).
      const sent: (string | null)[] = [];
      const query = store.pool.query.bind(store.pool);
      store.pool.query = ((sql: unknown, values?: unknown[]) => {
        if (typeof sql === 'string' && sql.includes('baton_apply')) sent.push(...(values![2] as (string | null)[]));
        return query(sql as string, values);
      }) as typeof store.pool.query;
      let folds = 0;
      for (let v = 2; v <= 71; v++) {
        const next = withEvent(state.contact, eventOf(v));
        if (next.history !== state.contact.history) folds++;
        state = { ...state, contact: { ...state.contact, ...next }, version: v };
        await store.commit({ contactId: 'long', expectedVersion: v - 1, state, effects: [] });
      }
      expect(folds).toBeGreaterThanOrEqual(2);
      expect(sent).toHaveLength(70);
      expect(sent.filter((h) => h !== null)).toHaveLength(folds);
      const [row] = (
        await store.pool.query<{ s: number; h: number }>(
          "SELECT length(state::text) AS s, length(history::text) AS h FROM baton_contacts WHERE contact_id = 'long'",
        )
      ).rows;
      expect(row!.s).toBeLessThan(10_000); // the rest of the state: the 968 older events are not in it
      expect(row!.h).toBeGreaterThan(30_000);
      // Another process reads the contact whole, and steps it on from what it read, holding the desk as
      // routing steps do: 40 steps, so at least one folds there.
      const other = await open(schema);
      try {
        expect(await other.load('long')).toEqual(state);
        for (let v = 72; v < 112; v++) {
          await other.stepHoldingDesk('long', undefined, (read) => {
            expect(read.state).toEqual(state);
            const at = read.state!;
            state = { ...at, contact: { ...at.contact, ...withEvent(at.contact, eventOf(v)) }, version: v };
            return { contactId: 'long', expectedVersion: v - 1, state, effects: [] };
          });
        }
        expect(await store.load('long')).toEqual(state);
        expect(await store.contacts()).toEqual([state]);
        // And this process goes on from there: what it held of the contact is at an older version.
        const at = (await store.load('long'))!;
        state = { ...at, contact: { ...at.contact, ...withEvent(at.contact, eventOf(112)) }, version: 112 };
        await store.commit({ contactId: 'long', expectedVersion: 111, state, effects: [] });
        expect(await other.load('long')).toEqual(state);
      } finally {
        await other.close();
      }
    } finally {
      await store.close();
    }
  });

  it('sends the older events again for a row forgotten and made again, though this process wrote them before', async () => {
    const store = await open();
    try {
      const fresh = newContactState('again', T);
      const state: ContactState = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
      await store.commit({ contactId: 'again', expectedVersion: 0, state, effects: [] });
      await store.commit({ contactId: 'again', expectedVersion: 1, state: { ...state, version: 2 }, effects: [] });
      await store.commit({ contactId: 'again', expectedVersion: 2, state, effects: [], forget: true });
      expect(await store.load('again')).toBeUndefined();
      // The same state, the same older part, on a new row.
      await store.commit({ contactId: 'again', expectedVersion: 0, state, effects: [] });
      expect(await store.load('again')).toEqual(state);
    } finally {
      await store.close();
    }
  });

  it('holds the older events it read or wrote, and reads the row without them while the row keeps them', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const other = await open(schema);
    const small = await PostgresStore.open({ url: PG_URL, schema, poolSize: 2, olderPartEvents: 500 });
    try {
      const answered = olderPartsAnswered(store);
      const fresh = newContactState('long', T);
      let state: ContactState = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
      await store.commit({ contactId: 'long', expectedVersion: 0, state, effects: [] });
      // The older part it wrote is the one it reads: the same array, not sent again, not parsed again.
      const first = await store.load('long');
      expect(first).toEqual(state);
      expect(first!.contact.history).toBe(state.contact.history);
      expect((await store.readStep('long', undefined, false)).state!.contact.history).toBe(state.contact.history);
      expect(answered).toEqual([null, null]);
      // Steps of another process that keep the older part leave it held here; one that folds changes it.
      let v = 2;
      /** A step of `by`; whether it folded (made a new older part). */
      const step = async (by: PostgresStore) => {
        const at = (await by.load('long'))!;
        state = { ...at, contact: { ...at.contact, ...withEvent(at.contact, eventOf(v)) }, version: v };
        await by.commit({ contactId: 'long', expectedVersion: v - 1, state, effects: [] });
        v++;
        return state.contact.history !== at.contact.history;
      };
      expect(await step(other)).toBe(false);
      expect(await store.load('long')).toEqual(state);
      expect(answered.at(-1)).toBeNull();
      while (!(await step(other)));
      const afterFold = await store.load('long');
      expect(afterFold).toEqual(state);
      expect(answered.at(-1)).toEqual(state.contact.history); // sent whole: the row holds another key
      // A view's read holds nothing new; a step's read does, and from then on the row is read without it.
      expect((await store.load('long'))!.contact.history).not.toBe(afterFold!.contact.history);
      const stepped = (await store.readStep('long', undefined, false)).state!;
      expect(answered.at(-1)).toEqual(state.contact.history);
      expect((await store.load('long'))!.contact.history).toBe(stepped.contact.history);
      expect(answered.at(-1)).toBeNull();
      // A routing step, holding the desk, that folds holds the older part it wrote.
      let folded = false;
      while (!folded)
        await store.stepHoldingDesk('long', undefined, (read) => {
          const at = read.state!;
          state = { ...at, contact: { ...at.contact, ...withEvent(at.contact, eventOf(v)) }, version: v };
          folded = state.contact.history !== at.contact.history;
          v++;
          return { contactId: 'long', expectedVersion: state.version - 1, state, effects: [] };
        });
      expect((await store.load('long'))!.contact.history).toBe(state.contact.history);
      expect(answered.at(-1)).toBeNull();
      // A process holding fewer events than an older part holds none: every read is whole.
      const a = await small.load('long');
      const b = await small.load('long');
      expect(b).toEqual(state);
      expect(b!.contact.history).not.toBe(a!.contact.history);
    } finally {
      await Promise.all([store.close(), other.close(), small.close()]);
    }
  });

  it('holds as many older events as BATON_HISTORY_CACHE_EVENTS gives baton serve (0: none)', async () => {
    const schema = freshSchema();
    const fresh = newContactState('long', T);
    const state: ContactState = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
    const held = async (historyCacheEvents: number | undefined) => {
      const storage = await openStorage({ database: PG_URL, schema, historyCacheEvents });
      try {
        const store = storage.store as PostgresStore;
        if ((await store.load('long')) === undefined)
          await store.commit({ contactId: 'long', expectedVersion: 0, state, effects: [] });
        const a = (await store.readStep('long', undefined, false)).state!;
        const b = (await store.readStep('long', undefined, false)).state!;
        expect(b).toEqual(state);
        return a.contact.history === b.contact.history;
      } finally {
        await storage.close();
      }
    };
    expect(await held(undefined)).toBe(true);
    expect(await held(0)).toBe(false);
    expect(await held(1000)).toBe(true);
  });

  it('reads the older events of a row another process forgot and made again at the same version, not the ones it held', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const other = await open(schema);
    try {
      const answered = olderPartsAnswered(store);
      const fresh = newContactState('again', T);
      const before: ContactState = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
      await store.commit({ contactId: 'again', expectedVersion: 0, state: before, effects: [] });
      expect(await store.load('again')).toEqual(before);
      expect(answered).toEqual([null]); // held
      await other.commit({ contactId: 'again', expectedVersion: 1, state: before, effects: [], forget: true });
      // Made again at version 1, with other older events (one more page view folded in).
      const again = withEvent({ history: before.contact.history, recent: [] }, eventOf(2), 1000, 1);
      const after: ContactState = { ...fresh, contact: { ...fresh.contact, ...again }, version: 1 };
      expect(after.contact.history).not.toEqual(before.contact.history);
      await other.commit({ contactId: 'again', expectedVersion: 0, state: after, effects: [] });
      expect(await store.load('again')).toEqual(after);
      expect((await store.readStep('again', undefined, false)).state).toEqual(after);
      expect(answered.slice(1)).toEqual([after.contact.history, after.contact.history]);
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });

  it("migrates over the lists' indexes when an operator built them beforehand, CONCURRENTLY (docs/SCALING.md)", async () => {
    const schema = await schemaBefore('baton_handoffs_listed', async (client) => {
      // As SCALING.md gives them: one statement at a time (CONCURRENTLY cannot run in a transaction).
      await client.query(`CREATE INDEX CONCURRENTLY baton_handoffs_listed ON baton_handoffs
        (status, (COALESCE(due_at, 9223372036854775807)), created_at, handoff_id COLLATE "C")`);
      await client.query(`CREATE INDEX CONCURRENTLY baton_handoffs_listed_waiting ON baton_handoffs
        ((COALESCE(due_at, 9223372036854775807)), created_at, handoff_id COLLATE "C")
        WHERE status = 'open' AND assignee IS NULL`);
    });
    const store = await open(schema);
    try {
      const { rows } = await store.pool.query<{ name: string }>(
        "SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'baton_handoffs_listed%' ORDER BY 1",
        [schema],
      );
      expect(rows.map((r) => r.name)).toEqual(['baton_handoffs_listed', 'baton_handoffs_listed_waiting']);
      const [{ n }] = (await store.pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM baton_migrations'))
        .rows as [{ n: number }];
      expect(n).toBe(MIGRATIONS.length);
    } finally {
      await store.close();
    }
  });

  it('moves the older events of a row written before they had a column at its next commit; older processes cannot commit', async () => {
    const fresh = newContactState('old', T);
    let state: ContactState = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
    // The schema as the version before the column left it, with a contact whose state holds its events.
    const { version: _, ...stored } = state;
    const schema = await schemaBefore('ADD COLUMN history', (client) =>
      client.query("INSERT INTO baton_contacts (contact_id, version, state) VALUES ('old', 1, $1)", [
        JSON.stringify(stored),
      ]),
    );
    const store = await open(schema);
    try {
      expect(await store.load('old')).toEqual(state);
      const next = withEvent(state.contact, eventOf(2));
      state = { ...state, contact: { ...state.contact, ...next }, version: 2 };
      await store.commit({ contactId: 'old', expectedVersion: 1, state, effects: [] });
      const [row] = (
        await store.pool.query<{ n: number; h: number }>(
          "SELECT json_array_length(state->'contact'->'history') AS n, json_array_length(history) AS h FROM baton_contacts WHERE contact_id = 'old'",
        )
      ).rows;
      expect(row).toEqual({ n: 0, h: state.contact.history.length });
      const other = await open(schema);
      expect(await other.load('old')).toEqual(state);
      await other.close();
      // A process of the version before calls the function with two arguments: it is gone.
      await expect(store.pool.query("SELECT baton_apply('[]'::jsonb, '{}'::text[])")).rejects.toThrow(/does not exist/);
    } finally {
      await store.close();
    }
  });

  it('reads whole the older events a row got before they had a key, or that a process of the version before wrote, until a fold writes them with one', async () => {
    const fresh = newContactState('old', T);
    let state: ContactState = { ...fresh, contact: { ...fresh.contact, ...past() }, version: 1 };
    const { version: _, ...rest } = state;
    /** The state as a row keeps it: the older events go in their own column. */
    const rowState = (s: ContactState) =>
      JSON.stringify({ ...rest, ...s, version: undefined, contact: { ...s.contact, history: [] } });
    // The schema as the version before the key left it: the older part in its column, with no key.
    const schema = await schemaBefore('history_key', (client) =>
      client.query("INSERT INTO baton_contacts (contact_id, version, state, history) VALUES ('old', 1, $1, $2)", [
        rowState(state),
        JSON.stringify(state.contact.history),
      ]),
    );
    const store = await open(schema);
    try {
      const answered = olderPartsAnswered(store);
      const whole = async () => {
        const a = (await store.readStep('old', undefined, false)).state!;
        const b = (await store.readStep('old', undefined, false)).state!;
        expect(b).toEqual(state);
        expect(b.contact.history).not.toBe(a.contact.history);
      };
      await whole();
      /** Steps the contact until a step folds, through `commit`. */
      let v = 2;
      const stepToFold = async () => {
        for (;;) {
          const at = (await store.readStep('old', undefined, false)).state!;
          state = { ...at, contact: { ...at.contact, ...withEvent(at.contact, eventOf(v)) }, version: v };
          await store.commit({ contactId: 'old', expectedVersion: v - 1, state, effects: [] });
          v++;
          if (state.contact.history !== at.contact.history) return;
        }
      };
      await stepToFold();
      expect((await store.readStep('old', undefined, false)).state!.contact.history).toBe(state.contact.history);
      expect(answered.at(-1)).toBeNull();
      // A process of the version before commits as it did, through the three-argument function, and writes
      // an older part (here: the one it read, with one more event in place of the oldest): with no key.
      const older = withEvent({ history: state.contact.history, recent: [] }, eventOf(v), 1000, 1);
      state = { ...state, contact: { ...state.contact, ...older, recent: [] }, version: v };
      const commit = {
        contactId: 'old',
        expectedVersion: v - 1,
        timers: [],
        handoffs: [],
        runs: [],
        effects: [],
      };
      const { rows } = await store.pool.query<{ result: string[] }>(
        'SELECT baton_apply($1::jsonb, $2::text[], $3::text[]) AS result',
        [JSON.stringify([commit]), [rowState(state)], [JSON.stringify(state.contact.history)]],
      );
      expect(rows[0]!.result).toEqual(['ok']);
      v++;
      // This process held the older part before: the row's is another now, and is read whole.
      await whole();
      await stepToFold();
      expect((await store.readStep('old', undefined, false)).state!.contact.history).toBe(state.contact.history);
      expect(answered.at(-1)).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('applies every event of a contact that many processes write at once: a step that lost the race holds the contact', async () => {
    const schema = freshSchema();
    const processes = 12;
    const each = 30;
    const stores = await Promise.all(Array.from({ length: processes }, () => open(schema)));
    const backoff = (attempt: number) =>
      new Promise<void>((done) => setTimeout(done, Math.random() * Math.min(200, 5 * 2 ** (attempt - 1))));
    const runtimes = stores.map(
      (store, p) =>
        new Runtime({ store, clock: { now: () => T }, catalog: new JourneyCatalog(), owner: `p${p}`, backoff }),
    );
    const results = await Promise.allSettled(
      runtimes.flatMap((runtime, p) =>
        Array.from({ length: each }, (_, k) =>
          runtime.ingest({ type: 'track', userId: 'hot', event: `e${p}-${k}`, messageId: `p${p}-${k}` }),
        ),
      ),
    );
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    expect(eventsOf((await stores[0]!.load('hot'))!.contact)).toHaveLength(processes * each);
    await Promise.all(stores.map((s) => s.close()));
  }, 60_000);

  it('applies a messageId once even when two processes commit it to two contacts at once', async () => {
    const schema = freshSchema();
    const a = await open(schema);
    const b = await open(schema);
    const state = (id: string) => newContactState(id, T);
    // Process a's commit of m-1 to c1 is in flight: its transaction holds, not yet committed.
    const client = await a.pool.connect();
    await client.query('BEGIN');
    const raw = await client.query<{ r: string[] }>(
      'SELECT baton_apply($1::jsonb, $2::text[], $3::text[], $4::text[]) AS r',
      [
        JSON.stringify([
          { contactId: 'c1', expectedVersion: 0, messageId: 'm-1', timers: [], handoffs: [], runs: [], effects: [] },
        ]),
        [JSON.stringify({ ...state('c1'), version: undefined })],
        [null],
        [null],
      ],
    );
    expect(raw.rows[0]!.r).toEqual(['ok']);
    // Process b gets the same messageId for another contact (an anonymous call resent while a link committed).
    let settled = false;
    const second = b.commit({
      contactId: 'c2',
      expectedVersion: 0,
      messageId: 'm-1',
      at: T,
      state: state('c2'),
      effects: [],
    });
    void second.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((done) => setTimeout(done, 300));
    expect(settled).toBe(false); // it waits for the first
    await client.query('COMMIT');
    client.release();
    await expect(second).rejects.toBeInstanceOf(DuplicateMessageError);
    expect(await b.load('c2')).toBeUndefined();
    await a.close();
    await b.close();
  });

  it("applies a contact's calls in the order they came when each carries both ids (its reads answered on several connections)", async () => {
    const store = await open();
    const runtime = new Runtime({ store, clock: { now: () => T }, catalog: new JourneyCatalog() });
    const contacts = Array.from({ length: 100 }, (_, c) => c);
    // Each visitor identified once, as analytics.js does, then three calls each carrying both ids.
    await Promise.all(
      contacts.map((c) => runtime.ingest({ type: 'identify', userId: `u${c}`, anonymousId: `a${c}`, traits: {} })),
    );
    const names = ['First', 'Second', 'Third'];
    await Promise.all(
      contacts.flatMap((c) =>
        names.map((event) => runtime.ingest({ type: 'track', userId: `u${c}`, anonymousId: `a${c}`, event })),
      ),
    );
    // And anonymous-only calls of a linked visitor, which read where the id points before they step.
    await Promise.all(
      contacts.flatMap((c) =>
        ['Fourth', 'Fifth'].map((event) => runtime.ingest({ type: 'track', anonymousId: `a${c}`, event })),
      ),
    );
    for (const c of contacts) {
      const seen = eventsOf((await store.load(`u${c}`))!.contact).map((e) => e.name);
      expect(seen, `u${c}`).toEqual(['Contact Updated', ...names, 'Fourth', 'Fifth']);
    }
    await store.close();
  });

  it('keeps a contact id, a trait and a handoff id such as __proto__ as plain data', async () => {
    const store = await open();
    const state = newContactState(
      '__proto__',
      T,
      JSON.parse('{"constructor":"x","__proto__":"y"}') as Record<string, unknown>,
    );
    await store.commit({ contactId: '__proto__', expectedVersion: 0, state, effects: [] });
    const loaded = await store.load('__proto__');
    expect(Object.getOwnPropertyNames(loaded!.contact.traits).sort()).toEqual(['__proto__', 'constructor'].sort());
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    await store.close();
  });
});

describe('PostgreSQL documents (configuration, deliveries)', () => {
  it('answer a lost database as the store does: store_unavailable (HTTP 503, try again), not an internal error', async () => {
    const pool = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      connectionTimeoutMillis: 2000,
    });
    const config = new PgDocument(pool, 'config', z.object({ n: z.number() }));
    await expect(config.write({ n: 1 })).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(config.read()).rejects.toBeInstanceOf(StoreUnavailableError);
    await pool.end();
  });
});

describe('PostgreSQL and the engine order ids alike', () => {
  it('sorts any ids as COLLATE "C" does, so a page mark means one place in every store (property)', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await fc.assert(
        fc.asyncProperty(
          // Any Unicode text without NUL (PostgreSQL text holds none), characters past U+FFFF included.
          fc.array(
            fc.string({ unit: 'binary' }).map((id) => id.replaceAll('\u0000', '')),
            { maxLength: 20 },
          ),
          async (ids) => {
            const { rows } = await client.query<{ id: string }>(
              'SELECT id FROM unnest($1::text[]) AS id ORDER BY id COLLATE "C"',
              [ids],
            );
            expect([...ids].sort(compareIds)).toEqual(rows.map((r) => r.id));
          },
        ),
        { numRuns: 200 },
      );
    } finally {
      await client.end();
    }
  });
});

describe('PostgreSQL schema', () => {
  it('leads the primary key of every per-contact table with contact_id, so it can be sharded by contact (docs/SCALING.md)', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const { rows } = await store.pool.query<{ table: string; columns: string[] }>(
      `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
       WHERE i.indisprimary AND n.nspname = $1 GROUP BY c.relname ORDER BY c.relname`,
      [schema],
    );
    const { rows: withContact } = await store.pool.query<{ table: string }>(
      "SELECT table_name AS table FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'contact_id'",
      [schema],
    );
    const perContact = withContact.map((r) => r.table).sort();
    expect(perContact).toEqual([
      'baton_contacts',
      'baton_handoffs',
      'baton_messages',
      'baton_outbox',
      'baton_runs',
      'baton_timers',
    ]);
    for (const table of perContact) {
      expect([table, rows.find((r) => r.table === table)?.columns[0]]).toEqual([table, 'contact_id']);
    }
    await store.close();
  });
});
