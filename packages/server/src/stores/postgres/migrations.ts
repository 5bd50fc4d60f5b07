import type { PoolClient } from 'pg';

/**
 * The schema, as numbered migrations: each runs once, in order, in its own transaction, and is recorded
 * in `baton_migrations`. A new version of Baton adds a migration; it never edits one that shipped.
 *
 * Every table that holds a contact's data has `contact_id` leading its primary key, so the tables can be
 * distributed by contact id (docs/SCALING.md); the routing desk and configuration are single rows shared
 * by every contact (reference tables there).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE baton_contacts (
    contact_id text NOT NULL,
    version integer NOT NULL,
    -- The contact's state as the engine wrote it (json keeps the text as it was, key order included).
    state json NOT NULL,
    PRIMARY KEY (contact_id)
  );
  CREATE TABLE baton_messages (
    contact_id text NOT NULL,
    message_id text NOT NULL,
    seen_at bigint NOT NULL,
    PRIMARY KEY (contact_id, message_id)
  );
  CREATE INDEX baton_messages_by_id ON baton_messages (message_id);
  CREATE TABLE baton_timers (
    contact_id text NOT NULL,
    timer_id text NOT NULL,
    due_at bigint NOT NULL,
    held boolean NOT NULL,
    record jsonb NOT NULL,
    lease_owner text,
    lease_until bigint,
    PRIMARY KEY (contact_id, timer_id)
  );
  CREATE INDEX baton_timers_due ON baton_timers (due_at, timer_id) WHERE NOT held;
  -- Handoffs: the record as the engine wrote it, and the columns lists, loads and reports query.
  CREATE TABLE baton_handoffs (
    contact_id text NOT NULL,
    handoff_id text NOT NULL,
    journey_id text NOT NULL,
    node text NOT NULL,
    run integer NOT NULL,
    status text NOT NULL,
    assignee text,
    queue text,
    created_at bigint NOT NULL,
    due_at bigint,
    accepted_at bigint,
    breached boolean NOT NULL,
    outcome text,
    value double precision,
    record jsonb NOT NULL,
    PRIMARY KEY (contact_id, handoff_id)
  );
  CREATE INDEX baton_handoffs_by_id ON baton_handoffs (handoff_id);
  CREATE INDEX baton_handoffs_open ON baton_handoffs (created_at, handoff_id) WHERE status = 'open';
  CREATE INDEX baton_handoffs_open_by_assignee ON baton_handoffs (assignee, due_at) WHERE status = 'open';
  CREATE INDEX baton_handoffs_open_by_queue ON baton_handoffs (queue, due_at) WHERE status = 'open';
  CREATE INDEX baton_handoffs_created ON baton_handoffs (created_at);
  -- Each contact's latest run of each journey (as its state keeps it): the flow of reports.
  CREATE TABLE baton_runs (
    contact_id text NOT NULL,
    journey_id text NOT NULL,
    run integer NOT NULL,
    entered_at bigint NOT NULL,
    status text NOT NULL,
    node text,
    outcome text,
    path jsonb NOT NULL,
    PRIMARY KEY (contact_id, journey_id)
  );
  CREATE INDEX baton_runs_entered ON baton_runs (entered_at);
  CREATE TABLE baton_outbox (
    contact_id text NOT NULL,
    seq bigserial NOT NULL,
    effect jsonb NOT NULL,
    PRIMARY KEY (contact_id, seq)
  );
  CREATE INDEX baton_outbox_by_seq ON baton_outbox (seq);
  CREATE TABLE baton_desk (
    id integer PRIMARY KEY CHECK (id = 1),
    version integer NOT NULL,
    state jsonb NOT NULL
  );

  -- Applies a batch of commits, each in a subtransaction of its own: one that is refused (its contact
  -- moved on, its message id was seen, the desk moved on) changes nothing and the others still apply.
  -- Returns one status per commit: 'ok', 'conflict', 'desk_conflict' or 'duplicate'. The outbox is
  -- written under a transaction lock, so positions become visible in the order they were given out
  -- and a reader's cursor never passes one that is still being committed.
  CREATE FUNCTION baton_apply(commits jsonb, states text[]) RETURNS text[] LANGUAGE plpgsql AS $fn$
  DECLARE
    c jsonb;
    i integer := 0;
    cid text;
    expected integer;
    n integer;
    result text[] := '{}';
    locked boolean := false;
  BEGIN
    FOR c IN SELECT value FROM jsonb_array_elements(commits) LOOP
      i := i + 1;
      cid := c->>'contactId';
      expected := (c->>'expectedVersion')::integer;
      BEGIN
        IF c ? 'messageId' AND EXISTS (SELECT 1 FROM baton_messages WHERE message_id = c->>'messageId') THEN
          RAISE EXCEPTION 'duplicate' USING ERRCODE = 'BT002';
        END IF;
        IF expected = 0 THEN
          INSERT INTO baton_contacts (contact_id, version, state) VALUES (cid, 1, states[i]::json) ON CONFLICT DO NOTHING;
        ELSE
          UPDATE baton_contacts SET version = expected + 1, state = states[i]::json WHERE contact_id = cid AND version = expected;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN RAISE EXCEPTION 'conflict' USING ERRCODE = 'BT001'; END IF;
        IF c ? 'messageId' THEN
          INSERT INTO baton_messages (contact_id, message_id, seen_at) VALUES (cid, c->>'messageId', (extract(epoch FROM now()) * 1000)::bigint);
        END IF;
        IF c ? 'desk' THEN
          UPDATE baton_desk SET version = version + 1, state = c->'desk'->'state'
            WHERE id = 1 AND version = (c->'desk'->>'expectedVersion')::integer;
          GET DIAGNOSTICS n = ROW_COUNT;
          IF n = 0 THEN RAISE EXCEPTION 'desk conflict' USING ERRCODE = 'BT003'; END IF;
        END IF;
        DELETE FROM baton_timers t WHERE t.contact_id = cid
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c->'timers') x WHERE x->>'id' = t.timer_id);
        INSERT INTO baton_timers AS t (contact_id, timer_id, due_at, held, record)
          SELECT cid, x->>'id', (x->>'dueAt')::bigint, coalesce((x->>'held')::boolean, false), x FROM jsonb_array_elements(c->'timers') x
          ON CONFLICT (contact_id, timer_id) DO UPDATE SET due_at = excluded.due_at, held = excluded.held, record = excluded.record
          WHERE t.record IS DISTINCT FROM excluded.record;
        DELETE FROM baton_handoffs h WHERE h.contact_id = cid
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c->'handoffs') x WHERE x->>'id' = h.handoff_id);
        INSERT INTO baton_handoffs AS h (contact_id, handoff_id, journey_id, node, run, status, assignee, queue, created_at, due_at,
            accepted_at, breached, outcome, value, record)
          SELECT cid, x->>'id', x->>'journeyId', x->>'node', (x->>'run')::integer, x->>'status', x->>'assignee', x->>'queue',
            (x->>'createdAt')::bigint, (x->>'dueAt')::bigint, (x->>'acceptedAt')::bigint, (x->>'breached')::boolean, x->>'outcome',
            (x->>'value')::double precision, x
          FROM jsonb_array_elements(c->'handoffs') x
          ON CONFLICT (contact_id, handoff_id) DO UPDATE SET status = excluded.status, assignee = excluded.assignee, queue = excluded.queue,
            due_at = excluded.due_at, accepted_at = excluded.accepted_at, breached = excluded.breached, outcome = excluded.outcome,
            value = excluded.value, record = excluded.record
          WHERE h.record IS DISTINCT FROM excluded.record;
        INSERT INTO baton_runs AS r (contact_id, journey_id, run, entered_at, status, node, outcome, path)
          SELECT cid, x->>'journeyId', (x->>'run')::integer, (x->>'enteredAt')::bigint, x->>'status', x->>'node', x->>'outcome', x->'path'
          FROM jsonb_array_elements(c->'runs') x
          ON CONFLICT (contact_id, journey_id) DO UPDATE SET run = excluded.run, entered_at = excluded.entered_at, status = excluded.status,
            node = excluded.node, outcome = excluded.outcome, path = excluded.path
          WHERE (r.run, r.status, r.node, r.outcome, r.path) IS DISTINCT FROM (excluded.run, excluded.status, excluded.node, excluded.outcome, excluded.path);
        IF jsonb_array_length(c->'effects') > 0 THEN
          IF NOT locked THEN
            PERFORM pg_advisory_xact_lock(hashtext('baton_outbox'));
            locked := true;
          END IF;
          INSERT INTO baton_outbox (contact_id, effect)
            SELECT cid, x.value FROM jsonb_array_elements(c->'effects') WITH ORDINALITY AS x ORDER BY x.ordinality;
        END IF;
        result := result || 'ok'::text;
      EXCEPTION
        WHEN SQLSTATE 'BT001' THEN result := result || 'conflict'::text;
        WHEN SQLSTATE 'BT002' OR unique_violation THEN result := result || 'duplicate'::text;
        WHEN SQLSTATE 'BT003' THEN result := result || 'desk_conflict'::text;
      END;
    END LOOP;
    RETURN result;
  END;
  $fn$;
  `,
  `
  -- The server's documents: configuration, the webhook worker's state, inbound webhook ids.
  CREATE TABLE baton_documents (
    name text PRIMARY KEY,
    body text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  `,
  `
  -- Handoffs waiting unassigned, oldest first: assigning them when a rep frees up reads only these.
  CREATE INDEX baton_handoffs_waiting ON baton_handoffs (created_at, handoff_id COLLATE "C") WHERE status = 'open' AND assignee IS NULL;
  `,
  `
  -- The events Baton accepted, kept for backtests for a retention window (stores/eventLog.ts). Made by a
  -- migration, under its lock: made on first use, processes starting together raced to create it.
  CREATE TABLE baton_event_log (seq bigserial PRIMARY KEY, at bigint NOT NULL, call jsonb NOT NULL);
  CREATE INDEX baton_event_log_at ON baton_event_log (at);
  `,
  `
  -- Each rep's open assigned handoffs, kept as handoffs change (issue #17): a routing step read them by
  -- counting every open handoff (30 ms a step at 66k open). A trigger appends one change for each handoff
  -- row that enters or leaves the count (appends never wait on one another, where a counter row per rep
  -- would serialise every commit that assigns to the rep); a load is its folded total plus the changes
  -- since (baton_rep_loads_now), and the store folds the changes in now and then. The handoffs are locked
  -- while the totals are counted, so no commit in flight is missed by both the count and the trigger.
  LOCK TABLE baton_handoffs IN SHARE ROW EXCLUSIVE MODE;
  CREATE TABLE baton_rep_loads (assignee text PRIMARY KEY, open integer NOT NULL);
  CREATE TABLE baton_rep_load_changes (seq bigserial PRIMARY KEY, assignee text NOT NULL, delta integer NOT NULL);
  CREATE FUNCTION baton_count_load() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
  BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'open' AND OLD.assignee IS NOT NULL THEN
      IF TG_OP = 'UPDATE' AND NEW.status = 'open' AND NEW.assignee = OLD.assignee THEN
        RETURN NULL; -- still counted, for the same rep
      END IF;
      INSERT INTO baton_rep_load_changes (assignee, delta) VALUES (OLD.assignee, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'open' AND NEW.assignee IS NOT NULL THEN
      INSERT INTO baton_rep_load_changes (assignee, delta) VALUES (NEW.assignee, 1);
    END IF;
    RETURN NULL;
  END;
  $fn$;
  CREATE TRIGGER baton_handoffs_load AFTER INSERT OR UPDATE OR DELETE ON baton_handoffs
    FOR EACH ROW EXECUTE FUNCTION baton_count_load();
  -- Emptying the handoffs (an operator's TRUNCATE, a restore) empties the loads: no row trigger sees it.
  CREATE FUNCTION baton_clear_loads() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
  BEGIN
    TRUNCATE baton_rep_loads, baton_rep_load_changes;
    RETURN NULL;
  END;
  $fn$;
  CREATE TRIGGER baton_handoffs_cleared AFTER TRUNCATE ON baton_handoffs
    FOR EACH STATEMENT EXECUTE FUNCTION baton_clear_loads();
  INSERT INTO baton_rep_loads (assignee, open)
    SELECT assignee, count(*) FROM baton_handoffs WHERE status = 'open' AND assignee IS NOT NULL GROUP BY assignee;
  CREATE VIEW baton_rep_loads_now AS
    SELECT assignee, sum(n)::integer AS open
    FROM (SELECT assignee, open AS n FROM baton_rep_loads UNION ALL SELECT assignee, delta FROM baton_rep_load_changes) AS parts
    GROUP BY assignee HAVING sum(n) <> 0;
  `,
  `
  -- A contact's older events (its timeline's \`history\`, up to 968 events, about 70 KB) in a column of
  -- their own (issue #17): a step rewrote the whole row, that part included, for every event, where it
  -- changes once every 32 events (a fold). The state keeps \`history\` empty; a commit sends the older part
  -- only when it changed, and the column keeps its stored value otherwise. Rows written before keep their
  -- history in the state until their next commit moves it. The two-argument baton_apply is renamed (the
  -- new one calls it), so a process of an older version, which would read these contacts without their
  -- older events, cannot commit: it fails until it is upgraded.
  ALTER TABLE baton_contacts ADD COLUMN history json;
  -- Values move out of the row (TOAST) once it passes 256 bytes instead of about 2 KB: an update that
  -- keeps the older part then keeps its stored value and writes only the pointer, where an older part
  -- kept in the row (a few dozen events, compressed) was copied into every new row version.
  ALTER TABLE baton_contacts SET (toast_tuple_target = 256);
  ALTER FUNCTION baton_apply(jsonb, text[]) RENAME TO baton_apply_states;
  CREATE FUNCTION baton_apply(commits jsonb, states text[], histories text[]) RETURNS text[] LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $fn$
  DECLARE
    result text[];
  BEGIN
    IF coalesce(array_length(histories, 1), 0) <> coalesce(array_length(states, 1), 0) THEN
      RAISE EXCEPTION 'baton_apply: % older parts for % states', coalesce(array_length(histories, 1), 0),
        coalesce(array_length(states, 1), 0);
    END IF;
    result := baton_apply_states(commits, states);
    -- In commit order: a later commit of the same contact in the batch writes after an earlier one.
    FOR i IN 1 .. coalesce(array_length(result, 1), 0) LOOP
      IF result[i] = 'ok' AND histories[i] IS NOT NULL THEN
        UPDATE baton_contacts SET history = histories[i]::json WHERE contact_id = commits->(i - 1)->>'contactId';
      END IF;
    END LOOP;
    -- A claimed timer that its paused journey held lets its claim go: held, it is not due; resumed, it is due
    -- at once, where the claim's lease kept it back until the lease ran out.
    UPDATE baton_timers t SET lease_owner = NULL, lease_until = NULL
      FROM jsonb_array_elements(commits) WITH ORDINALITY AS c(x, n)
      WHERE result[c.n] = 'ok' AND t.contact_id = c.x->>'contactId' AND t.held AND t.lease_owner IS NOT NULL;
    RETURN result;
  END;
  $fn$;
  `,
  // 9: lists of handoffs read a page from an index in list order (soonest due, no due last, then oldest,
  // then id), open and closed apart, instead of sorting every handoff of that status for each page; the
  // work waiting for a rep (the inbox's unassigned list) has one of its own.
  `
  CREATE INDEX IF NOT EXISTS baton_handoffs_listed ON baton_handoffs
    (status, (COALESCE(due_at, 9223372036854775807)), created_at, handoff_id COLLATE "C");
  CREATE INDEX IF NOT EXISTS baton_handoffs_listed_waiting ON baton_handoffs
    ((COALESCE(due_at, 9223372036854775807)), created_at, handoff_id COLLATE "C")
    WHERE status = 'open' AND assignee IS NULL;
  `,
  // 10: the older part of a timeline is kept under a key, new at every write of the column, so that a
  // process holding the older part it read or wrote last can read the row without it while the row still
  // holds that key (postgres/olderParts.ts). baton_apply takes the keys beside the older parts (migration
  // 8's function, renamed, writes them; the key is set after it, as migration 8 set the column after the
  // states). The three-argument baton_apply, which processes of the version before call, now gives no
  // keys: their older parts are written with a NULL key, which matches no key held, so they go on
  // committing, and reading whole, while they are replaced.
  `
  ALTER TABLE baton_contacts ADD COLUMN history_key text;
  ALTER FUNCTION baton_apply(jsonb, text[], text[]) RENAME TO baton_apply_histories;
  CREATE FUNCTION baton_apply(commits jsonb, states text[], histories text[], history_keys text[]) RETURNS text[]
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
  DECLARE
    result text[];
  BEGIN
    IF coalesce(array_length(history_keys, 1), 0) <> coalesce(array_length(states, 1), 0) THEN
      RAISE EXCEPTION 'baton_apply: % keys for % states', coalesce(array_length(history_keys, 1), 0),
        coalesce(array_length(states, 1), 0);
    END IF;
    result := baton_apply_histories(commits, states, histories);
    -- In commit order, as the older parts were written: the last one of a contact in the batch keeps its key.
    FOR i IN 1 .. coalesce(array_length(result, 1), 0) LOOP
      IF result[i] = 'ok' AND histories[i] IS NOT NULL THEN
        UPDATE baton_contacts SET history_key = history_keys[i] WHERE contact_id = commits->(i - 1)->>'contactId';
      END IF;
    END LOOP;
    RETURN result;
  END;
  $fn$;
  CREATE FUNCTION baton_apply(commits jsonb, states text[], histories text[]) RETURNS text[]
    LANGUAGE sql SET search_path FROM CURRENT AS $fn$
    SELECT baton_apply(commits, states, histories,
      array_fill(NULL::text, ARRAY[coalesce(array_length(states, 1), 0)]));
  $fn$;
  `,
  // 11: a messageId is applied once whichever contact it reaches (SPEC §9). The check looked for the id
  // among committed messages while the only unique key was (contact, messageId), so two transactions of
  // one messageId for two contacts (an anonymous call resent while a link committed) both passed. The id
  // alone is now unique: the second insert waits for the first transaction, then fails as a duplicate
  // (baton_apply maps unique_violation to 'duplicate'). Rows such a race left are folded to one first.
  // On Citus, where the messages would be distributed by contact (docs/SCALING.md), a unique index must
  // hold the contact: this one would go, and with it the check across contacts. An operator may build the
  // index beforehand, CONCURRENTLY, under this name (docs/SCALING.md): it is then kept as it is.
  `
  DELETE FROM baton_messages a USING baton_messages b
    WHERE a.message_id = b.message_id AND a.contact_id > b.contact_id;
  CREATE UNIQUE INDEX IF NOT EXISTS baton_messages_id_unique ON baton_messages (message_id);
  DROP INDEX IF EXISTS baton_messages_by_id;
  `,
];

/** A lock key of Baton's own, so two processes starting together migrate one after the other. */
const MIGRATION_LOCK = 0x62746e; // "btn"

/**
 * Brings the schema up to date: under a session advisory lock, every migration not yet recorded runs,
 * in its own transaction. A process that waited for the lock finds the work done. `schema` has been
 * checked to be a plain lower-case name.
 */
export async function migrate(client: PoolClient, schema: string | undefined, desk: unknown): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS baton_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM baton_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const [i, sql] of MIGRATIONS.entries()) {
      const version = i + 1;
      if (done.has(version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        if (version === 1)
          await client.query('INSERT INTO baton_desk (id, version, state) VALUES (1, 0, $1)', [JSON.stringify(desk)]);
        await client.query('INSERT INTO baton_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
