import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  assembleReport,
  BatonError,
  ConflictError,
  DeskConflictError,
  DuplicateMessageError,
  newDesk,
  type ClaimRequest,
  type Commit,
  type ContactState,
  type DeskCommit,
  type DeskState,
  type HandoffQuery,
  type HandoffRecord,
  type HandoffReport,
  type HistoryEvent,
  type NodeCounts,
  type OpenHandoffCount,
  type ReportPeriod,
  type StepRead,
  type OutboxEntry,
  type Store,
  type TimerRecord,
} from '@baton/engine';
import { unavailable } from './pgErrors.ts';
import { migrate } from './migrations.ts';
import { OlderParts, type HeldOlderPart } from './olderParts.ts';

/** How to reach PostgreSQL. */
export interface PostgresStoreOptions {
  /** `postgres://USER@HOST:PORT/DB`. */
  url: string;
  /** A schema to keep Baton's tables in (created if missing); default: the connection's search path. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /**
   * How many older events (of timelines read or written lately) this process keeps so that a contact's
   * next step does not read them again (default 500,000, about 140 MB of website events): `OlderParts`.
   */
  olderPartEvents?: number;
}

/** The default of `olderPartEvents`. */
export const OLDER_PART_EVENTS = 500_000;

export { StoreUnavailableError } from './pgErrors.ts';

interface Queued {
  commit: Commit;
  done: () => void;
  fail: (err: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A deadlock or a serialization failure aborts a batch whole: it is safe to send it again. */
const RETRIED = new Set(['40P01', '40001']);

/** The part of a commit the database function reads (the state itself goes as text, unchanged). */
const commitMeta = (c: Commit) => ({
  contactId: c.contactId,
  expectedVersion: c.expectedVersion,
  ...(c.messageId === undefined ? {} : { messageId: c.messageId }),
  ...(c.desk ? { desk: c.desk } : {}),
  timers: c.state.timers,
  handoffs: c.state.handoffs ?? [],
  runs: c.state.instances.map((i) => ({
    journeyId: i.journeyId,
    run: i.run,
    enteredAt: i.enteredAt,
    status: i.status,
    node: i.node,
    outcome: i.outcome,
    path: i.path,
  })),
  effects: c.effects,
});

/** The row a transaction holds while it reads and commits (`SELECT … FOR UPDATE`). */
interface RowLock {
  sql: string;
  values: unknown[];
}

/** The routing desk's one row. */
const DESK_ROW: RowLock = { sql: 'SELECT 1 FROM baton_desk WHERE id = 1 FOR UPDATE', values: [] };

/**
 * The store for several processes (SPEC §9): every piece of runtime state in PostgreSQL. A commit is one
 * subtransaction of a batch: the contact row with its version check, the message id, the desk, the
 * contact's timers and handoffs (indexed copies for claims, lists and loads) and its outbox rows. Commits
 * made while a batch is in flight wait and go together in the next (group commit: one round trip and one
 * WAL flush for many), and each is acknowledged after COMMIT. Timers are claimed with
 * `FOR UPDATE SKIP LOCKED` under a lease, so a dead process's timers are taken over once its lease ends.
 */
export class PostgresStore implements Store {
  private queue: Queued[] = [];
  private flushing = false;
  /**
   * The older parts of timelines this process read from, or wrote to, their column, with the contact and
   * the version of the row that held them: a commit made on that version whose older part is one of these
   * (every step but a fold) does not send it. A row changed by another process is at another version,
   * so the older part goes again; so does a row forgotten and made again, unless it was made again up to
   * the very version this process read before the forget (a commit built on a contact read before it was
   * forgotten overwrites the new one's state then, older part or not). Weak: an older part no state refers
   * to any more is forgotten with it.
   */
  private readonly storedHistory = new WeakMap<readonly HistoryEvent[], { contactId: string; version: number }>();
  /** Told when a fold of the rep loads' changes fails (the server logs it); the changes stay for the next. */
  onFoldFailed: ((err: Error) => void) | undefined;
  /** The fold of the rep loads' changes in flight, and when the last one started (see `foldSoon`). */
  private folding: Promise<void> | undefined;
  private foldedAt = 0;
  private readonly olderParts: OlderParts;

  private constructor(
    readonly pool: pg.Pool,
    olderPartEvents: number,
  ) {
    this.olderParts = new OlderParts(olderPartEvents);
  }

  /** Connects, creates the schema if needed and migrates it under an advisory lock. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema))
      throw new BatonError('input_invalid', `schema "${schema}" must be lower-case letters, digits and _`);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // A connection the server drops (a restart, pg_terminate_backend) is an 'error' event on its client:
    // while idle the pool replaces it; while checked out, the query on it fails (503), and the event itself
    // must not end the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      const client = await pool.connect();
      try {
        await migrate(client, schema, newDesk());
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw unavailable(err as Error);
    }
    return new PostgresStore(pool, options.olderPartEvents ?? OLDER_PART_EVENTS);
  }

  private async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (err) {
      throw unavailable(err as Error);
    }
  }

  async load(contactId: string): Promise<ContactState | undefined> {
    const held = this.olderParts.get(contactId);
    const [row] = await this.query<ContactRow>(
      `SELECT version, state, ${historyUnlessHeld('', '$2')} FROM baton_contacts WHERE contact_id = $1`,
      [contactId, held?.key ?? null],
    );
    // A view's read (an API call, a migration's walk over every contact) uses what is held but holds
    // nothing new: steps do, and they are the reads that come back soon.
    return row && this.stateOf(row, held, false);
  }

  /**
   * A contact as a row holds it: its older events from their own column (issue #17), or the ones this
   * process holds when the row left the column out because it still holds them under the key named
   * (`held`), or from the state where a row written before that column still keeps them. An older part read
   * from the column is known to be stored (a commit that keeps it does not send it again); a step's read
   * (`hold`) holds it for the contact's next step when the row gave its key, and any read lets go of a
   * held part the row no longer has.
   */
  private stateOf(row: ContactRow, held: HeldOlderPart | undefined, hold: boolean): ContactState {
    const { contact } = row.state;
    if (contact.history.length > 0) return { ...row.state, version: row.version };
    let { history } = row;
    if (row.history_held === true && held !== undefined) history = held.history;
    else
      this.olderParts.replace(
        contact.id,
        held,
        hold && history !== null && typeof row.history_key === 'string' ? { key: row.history_key, history } : undefined,
      );
    if (history === null) return { ...row.state, version: row.version };
    this.storedHistory.set(history, { contactId: contact.id, version: row.version });
    return { ...row.state, contact: { ...contact, history }, version: row.version };
  }

  /**
   * The older part of a commit's timeline as the database function takes it, with a new key to keep it
   * under: null when the row holds it already, or when a new row's is empty (a null column reads as no
   * events).
   */
  private olderPartOf(c: Commit): SentOlderPart | null {
    const { history } = c.state.contact;
    if (c.expectedVersion === 0 && history.length === 0) return null;
    const held = this.storedHistory.get(history);
    if (held !== undefined && held.contactId === c.contactId && held.version === c.expectedVersion) return null;
    return { text: JSON.stringify(history), key: randomBytes(12).toString('base64url') };
  }

  /**
   * After a commit was applied (committed), its older part is the one the row holds at its new version,
   * and, when the commit sent it, under the key it was sent with.
   */
  private stored(c: Commit, sent: SentOlderPart | null): void {
    const { history } = c.state.contact;
    this.storedHistory.set(history, { contactId: c.contactId, version: c.expectedVersion + 1 });
    if (sent !== null) this.olderParts.keep(c.contactId, sent.key, history);
  }

  /** The contact, whether the message was applied, the desk and the loads, in one query: one round trip a step. */
  async readStep(contactId: string, messageId: string | undefined, routing: boolean): Promise<StepRead> {
    return this.readStepOn((sql, values) => this.query(sql, values), contactId, messageId, routing);
  }

  private async readStepOn(
    query: <R extends pg.QueryResultRow>(sql: string, values: unknown[]) => Promise<R[]>,
    contactId: string,
    messageId: string | undefined,
    routing: boolean,
  ): Promise<StepRead> {
    const held = this.olderParts.get(contactId);
    const [row] = await query<
      Omit<ContactRow, 'version' | 'state'> & {
        seen: boolean;
        version: number | null;
        state: ContactRow['state'] | null;
        desk: { version: number; state: DeskState } | null;
        loads: Record<string, number> | null;
      }
    >(
      `SELECT $2::text IS NOT NULL AND EXISTS (SELECT 1 FROM baton_messages WHERE message_id = $2) AS seen,
         c.version, c.state, ${historyUnlessHeld('c.', '$4')},
         CASE WHEN $3 THEN (SELECT json_build_object('version', version, 'state', state) FROM baton_desk WHERE id = 1) END AS desk,
         CASE WHEN $3 THEN (SELECT json_object_agg(assignee, open) FROM baton_rep_loads_now) END AS loads
       FROM (SELECT 1) AS one LEFT JOIN baton_contacts c ON c.contact_id = $1`,
      [contactId, messageId ?? null, routing, held?.key ?? null],
    );
    if (!row || row.seen) return { duplicate: row?.seen ?? false, state: undefined };
    const state = row.version === null || row.state === null ? undefined : this.stateOf(row as ContactRow, held, true);
    if (!routing) return { duplicate: false, state };
    const loads = Object.create(null) as Record<string, number>;
    for (const [rep, n] of Object.entries(row.loads ?? {})) loads[rep] = n;
    return { duplicate: false, state, routing: { desk: row.desk ?? { version: 0, state: newDesk() }, loads } };
  }

  async hasMessage(messageId: string): Promise<boolean> {
    return (await this.query('SELECT 1 FROM baton_messages WHERE message_id = $1 LIMIT 1', [messageId])).length > 0;
  }

  /** Queues the commit for the next batch and resolves once that batch is committed. */
  commit(commit: Commit): Promise<void> {
    if (commit.forget) return this.forget(commit);
    return new Promise<void>((done, fail) => {
      this.queue.push({ commit, done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  /** Sends every queued commit as one batch, then the next batch, until the queue is empty. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 500);
        const meta = JSON.stringify(batch.map((q) => commitMeta(q.commit)));
        const states = batch.map((q) => stateText(q.commit));
        const parts = batch.map((q) => this.olderPartOf(q.commit));
        const histories = parts.map((p) => p?.text ?? null);
        const keys = parts.map((p) => p?.key ?? null);
        for (let attempt = 0; ; attempt++) {
          try {
            const [row] = await this.query<{ result: string[] }>(
              'SELECT baton_apply($1::jsonb, $2::text[], $3::text[], $4::text[]) AS result',
              [meta, states, histories, keys],
            );
            batch.forEach((q, i) => {
              if (row!.result[i] === 'ok') this.stored(q.commit, parts[i]!);
              settle(q, row!.result[i]);
            });
            this.foldSoon();
            break;
          } catch (err) {
            // Batches of two processes can lock the same contacts and the desk in opposite orders; PostgreSQL
            // then aborts one of them whole (nothing of it applied), and it is sent again.
            if (RETRIED.has((err as { code?: string }).code ?? '') && attempt < 5) continue;
            for (const q of batch) q.fail(err as Error);
            break;
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Reads and commits a step in one transaction that holds the desk row (FOR UPDATE: waiting processes queue for it). */
  stepHoldingDesk(
    contactId: string,
    messageId: string | undefined,
    step: (read: StepRead) => Commit,
  ): Promise<'applied' | 'duplicate'> {
    return this.stepHolding([DESK_ROW], contactId, messageId, true, step);
  }

  /**
   * Reads and commits a step in one transaction that holds the contact's row (FOR UPDATE): other
   * processes' commits of the contact wait for it and then find it moved on, so a step that lost its
   * contact to another process once is not refused for losing it again and again (SPEC §9 audit: 16
   * processes writing one contact had 8 of 480 events refused with 503).
   */
  stepHoldingContact(
    contactId: string,
    messageId: string | undefined,
    routing: boolean,
    step: (read: StepRead) => Commit,
  ): Promise<'applied' | 'duplicate'> {
    const contact = { sql: 'SELECT 1 FROM baton_contacts WHERE contact_id = $1 FOR UPDATE', values: [contactId] };
    // A step that routes may move the desk: its row first, in the order a retry holding the desk takes them.
    return this.stepHolding(routing ? [DESK_ROW, contact] : [contact], contactId, messageId, routing, step);
  }

  private async stepHolding(
    locks: readonly RowLock[],
    contactId: string,
    messageId: string | undefined,
    routing: boolean,
    step: (read: StepRead) => Commit,
  ): Promise<'applied' | 'duplicate'> {
    let commit: Commit | undefined;
    let sent: SentOlderPart | null = null;
    const status = await this.holding(locks, async (query) => {
      const read = await this.readStepOn(query, contactId, messageId, routing);
      if (read.duplicate) return { commit: false, value: 'duplicate' };
      commit = step(read);
      // A step that forgets the contact moves no desk: it goes the way of every forget, below.
      if (commit.forget) return { commit: false, value: 'forget' };
      sent = this.olderPartOf(commit);
      const [row] = await query<{ result: string[] }>(
        'SELECT baton_apply($1::jsonb, $2::text[], $3::text[], $4::text[]) AS result',
        [JSON.stringify([commitMeta(commit)]), [stateText(commit)], [sent?.text ?? null], [sent?.key ?? null]],
      );
      const result = row!.result[0]!;
      return { commit: result === 'ok', value: result };
    });
    if (status === 'forget') await this.forget(commit!);
    else if (status !== 'ok' && status !== 'duplicate') throw refusal(commit!, status);
    if (status === 'ok') {
      // Only now is it committed: until COMMIT the row could still be left as it was.
      this.stored(commit!, sent);
      this.foldSoon();
    }
    return status === 'duplicate' ? 'duplicate' : 'applied';
  }

  /** Changes the desk in one transaction that holds its row: routing waits, then retries on the new version. */
  async changeDeskHolding(change: (state: DeskState) => DeskState): Promise<void> {
    await this.holding([DESK_ROW], async (query) => {
      // (The schema's migration writes the desk's one row.)
      const [row] = await query<{ state: DeskState }>('SELECT state FROM baton_desk WHERE id = 1');
      await query('UPDATE baton_desk SET version = version + 1, state = $1 WHERE id = 1', [
        JSON.stringify(change(row?.state ?? newDesk())),
      ]);
      return { commit: true, value: undefined };
    });
  }

  /**
   * Runs `work` in one transaction that holds `locks`' rows, the desk's and a contact's (FOR UPDATE: processes
   * waiting for it take it in turn), committed when `work` says so, else rolled back. A query that fails on a deadlock with
   * another process's batch fails as a DeskConflictError (the runtime tries again); any other as unavailable.
   */
  private async holding<T>(
    locks: readonly RowLock[],
    work: (
      query: <R extends pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<R[]>,
    ) => Promise<{ commit: boolean; value: T }>,
  ): Promise<T> {
    const client = await this.pool.connect().catch((err: Error) => {
      throw unavailable(err);
    });
    const query = async <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
      try {
        return (await client.query<R>(sql, values)).rows;
      } catch (err) {
        if (RETRIED.has((err as { code?: string }).code ?? '')) throw new DeskConflictError();
        throw unavailable(err as Error);
      }
    };
    try {
      await query('BEGIN');
      for (const lock of locks) await query(lock.sql, lock.values);
      const { commit, value } = await work(query);
      await query(commit ? 'COMMIT' : 'ROLLBACK');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Removes a contact (an anonymous profile forgotten) with its timers and handoffs, if it is still at the version read. */
  private async forget(commit: Commit): Promise<void> {
    const client = await this.pool.connect().catch((err: Error) => {
      throw unavailable(err);
    });
    try {
      await client.query('BEGIN');
      const gone = await client.query('DELETE FROM baton_contacts WHERE contact_id = $1 AND version = $2', [
        commit.contactId,
        commit.expectedVersion,
      ]);
      if (gone.rowCount === 0) {
        await client.query('ROLLBACK');
        throw new ConflictError(commit.contactId);
      }
      await client.query('DELETE FROM baton_timers WHERE contact_id = $1', [commit.contactId]);
      await client.query('DELETE FROM baton_handoffs WHERE contact_id = $1', [commit.contactId]);
      await client.query('DELETE FROM baton_runs WHERE contact_id = $1', [commit.contactId]);
      await client.query('COMMIT');
      this.olderParts.drop(commit.contactId);
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      await client.query('ROLLBACK').catch(() => undefined);
      throw unavailable(err as Error);
    } finally {
      client.release();
    }
  }

  /** Forgets messageIds seen before `before` (the database's clock stamps them when committed). */
  async forgetMessages(before: number): Promise<void> {
    await this.query('DELETE FROM baton_messages WHERE seen_at < $1', [before]);
  }

  async claimDueTimers(r: ClaimRequest): Promise<TimerRecord[]> {
    const rows = await this.query<{ record: TimerRecord }>(
      `WITH due AS (
         SELECT contact_id, timer_id FROM baton_timers
         WHERE NOT held AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $2)
         ORDER BY due_at, timer_id LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE baton_timers t SET lease_owner = $4, lease_until = $5 FROM due
       WHERE t.contact_id = due.contact_id AND t.timer_id = due.timer_id RETURNING t.record`,
      [r.dueBy, r.now, r.limit, r.owner, r.leaseUntil],
    );
    return rows.map((x) => x.record).sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async nextDueAt(now?: number): Promise<number | null> {
    const [row] = await this.query<{ at: number | null }>(
      'SELECT min(due_at)::float8 AS at FROM baton_timers WHERE NOT held AND (lease_owner IS NULL OR lease_until <= $1)',
      [now ?? null],
    );
    return row?.at ?? null;
  }

  async readOutbox(after: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.query<{ seq: number; effect: OutboxEntry['effect'] }>(
      'SELECT seq::float8 AS seq, effect FROM baton_outbox WHERE seq > $1 ORDER BY seq LIMIT $2',
      [after, limit],
    );
    return rows.map((x) => ({ seq: x.seq, effect: x.effect }));
  }

  async pruneOutbox(upTo: number): Promise<void> {
    await this.query('DELETE FROM baton_outbox WHERE seq <= $1', [upTo]);
  }

  async loadDesk(): Promise<{ version: number; state: DeskState }> {
    const [row] = await this.query<{ version: number; state: DeskState }>(
      'SELECT version, state FROM baton_desk WHERE id = 1',
    );
    return row ?? { version: 0, state: newDesk() };
  }

  async commitDesk(d: DeskCommit): Promise<void> {
    const rows = await this.query(
      'UPDATE baton_desk SET version = version + 1, state = $1 WHERE id = 1 AND version = $2 RETURNING 1',
      [JSON.stringify(d.state), d.expectedVersion],
    );
    if (rows.length === 0) throw new DeskConflictError();
  }

  async openHandoffs(): Promise<HandoffRecord[]> {
    return (
      await this.query<{ record: HandoffRecord }>(
        "SELECT record FROM baton_handoffs WHERE status = 'open' ORDER BY created_at, handoff_id",
      )
    ).map((x) => x.record);
  }

  /** Counted in the database: a scrape once read every open handoff's record to count them. */
  async openHandoffCounts(): Promise<OpenHandoffCount[]> {
    return this.query<OpenHandoffCount>(
      `SELECT queue, assignee IS NOT NULL AS assigned, count(*)::integer AS n FROM baton_handoffs
       WHERE status = 'open' GROUP BY 1, 2`,
    );
  }

  /** Counted in the database, as `isLate` tells: each rep's open handoffs, never sent over. */
  async lateHandoffCounts(now: number): Promise<Record<string, number>> {
    const rows = await this.query<{ assignee: string; n: number }>(
      `SELECT assignee, count(*)::integer AS n FROM baton_handoffs
       WHERE status = 'open' AND assignee IS NOT NULL AND accepted_at IS NULL AND (breached OR due_at < $1)
       GROUP BY 1`,
      [now],
    );
    const late = Object.create(null) as Record<string, number>;
    for (const r of rows) late[r.assignee] = r.n;
    return late;
  }

  async handoff(id: string): Promise<HandoffRecord | undefined> {
    return (
      await this.query<{ record: HandoffRecord }>('SELECT record FROM baton_handoffs WHERE handoff_id = $1 LIMIT 1', [
        id,
      ])
    )[0]?.record;
  }

  async handoffs(q: HandoffQuery): Promise<HandoffRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const is = (column: string, value: unknown) => {
      values.push(value);
      where.push(`${column} = $${values.length}`);
    };
    if (q.status !== undefined) is('status', q.status);
    if (q.assignee === null) where.push('assignee IS NULL');
    else if (q.assignee !== undefined) is('assignee', q.assignee);
    if (q.queue !== undefined) is('queue', q.queue);
    if (q.journey !== undefined) is('journey_id', q.journey);
    if (q.breached !== undefined) is('breached', q.breached);
    // (A handoff with no due comes last: its due counts as the largest bigint, as in the index of lists.)
    const order = `COALESCE(due_at, ${NO_DUE}), created_at, handoff_id COLLATE "C"`;
    if (q.after !== undefined) {
      values.push(q.after.dueAt ?? NO_DUE, q.after.createdAt, q.after.id);
      const n = values.length;
      where.push(`(${order}) > ($${n - 2}::bigint, $${n - 1}::bigint, $${n}::text COLLATE "C")`);
    }
    const filter = (extra: string[]) => {
      const all = [...extra, ...where];
      return all.length > 0 ? ` WHERE ${all.join(' AND ')}` : '';
    };
    let sql = `SELECT record FROM baton_handoffs${filter([])} ORDER BY ${order}`;
    if (q.limit !== undefined) {
      values.push(q.limit);
      const limit = ` LIMIT $${values.length}`;
      // Every status: a page of each from the index of lists (it leads with the status), then of both.
      const page = (status: 'open' | 'closed') =>
        `(SELECT record, COALESCE(due_at, ${NO_DUE}) AS d, created_at AS c, handoff_id COLLATE "C" AS i FROM baton_handoffs${filter([`status = '${status}'`])} ORDER BY d, c, i${limit})`;
      sql =
        q.status === undefined
          ? `SELECT record FROM (${page('open')} UNION ALL ${page('closed')}) AS pages ORDER BY d, c, i${limit}`
          : sql + limit;
    }
    return (await this.query<{ record: HandoffRecord }>(sql, values)).map((r) => r.record);
  }

  /**
   * The report, by query: the handoffs of the period (the columns a report reads, joined with their run
   * for conversion) and the flow counted per journey and node; the numbers are then computed as every
   * store computes them (assembleReport), so PostgreSQL and memory agree to the letter.
   */
  async report(period: ReportPeriod): Promise<HandoffReport> {
    const values = [period.from ?? null, period.to ?? null, period.journey ?? null];
    const inPeriod = (at: string, journey: string) =>
      `($1::bigint IS NULL OR ${at} >= $1) AND ($2::bigint IS NULL OR ${at} < $2) AND ($3::text IS NULL OR ${journey} = $3)`;
    const [rows, entered, current] = await Promise.all([
      this.query<{
        journeyId: string;
        node: string;
        queue: string | null;
        assignee: string | null;
        status: 'open' | 'closed';
        createdAt: number;
        acceptedAt: number | null;
        breached: boolean;
        outcome: string | null;
        value: number | null;
        rejectedBy: HandoffRecord['rejectedBy'];
        converted: boolean;
      }>(
        `SELECT h.journey_id AS "journeyId", h.node, h.queue, h.assignee, h.status, h.created_at::float8 AS "createdAt", h.accepted_at::float8 AS "acceptedAt",
           h.breached, h.outcome, h.value, coalesce(h.record->'rejectedBy', '[]'::jsonb) AS "rejectedBy", coalesce(r.run = h.run AND r.status = 'exited' AND r.outcome = 'converted', false) AS converted
         FROM baton_handoffs h LEFT JOIN baton_runs r ON r.contact_id = h.contact_id AND r.journey_id = h.journey_id
         WHERE ${inPeriod('h.created_at', 'h.journey_id')}`,
        values,
      ),
      // A run with an empty path (entered paused) still puts its journey in the flow: the node is null then.
      this.query<{ journey: string; node: string | null; n: number; converted: number }>(
        `SELECT r.journey_id AS journey, p.node, count(p.node)::integer AS n,
           count(p.node) FILTER (WHERE r.status = 'exited' AND r.outcome = 'converted')::integer AS converted
         FROM baton_runs r LEFT JOIN LATERAL jsonb_array_elements_text(r.path) AS p(node) ON true
         WHERE ${inPeriod('r.entered_at', 'r.journey_id')} GROUP BY 1, 2`,
        values,
      ),
      this.query<{ journey: string; node: string; n: number }>(
        `SELECT journey_id AS journey, node, count(*)::integer AS n FROM baton_runs
         WHERE status <> 'exited' AND node IS NOT NULL AND ${inPeriod('entered_at', 'journey_id')} GROUP BY 1, 2`,
        values,
      ),
    ]);
    const flow = new Map<string, Map<string, NodeCounts>>();
    for (const e of entered) {
      let nodes = flow.get(e.journey);
      if (!nodes) flow.set(e.journey, (nodes = new Map()));
      if (e.node !== null) nodes.set(e.node, { entered: e.n, current: 0, exited: 0, converted: e.converted });
    }
    for (const c of current) {
      const counts = flow.get(c.journey)?.get(c.node);
      if (counts) counts.current = c.n;
    }
    return assembleReport(
      rows.map(({ converted, ...handoff }) => ({ handoff, converted })),
      flow,
      period,
    );
  }

  /** Read through the partial index of waiting handoffs (created, id), leaving out skipped queues. */
  async waitingHandoffs(q: Parameters<Store['waitingHandoffs']>[0]): Promise<HandoffRecord[]> {
    const values: unknown[] = [q.skipQueues ?? [], q.limit];
    let after = '';
    if (q.after) {
      values.push(q.after.createdAt, q.after.id);
      after = ' AND (created_at, handoff_id COLLATE "C") > ($3::bigint, $4::text COLLATE "C")';
    }
    const rows = await this.query<{ record: HandoffRecord }>(
      `SELECT record FROM baton_handoffs WHERE status = 'open' AND assignee IS NULL AND (queue IS NULL OR NOT (queue = ANY($1::text[])))${after}
       ORDER BY created_at, handoff_id COLLATE "C" LIMIT $2`,
      values,
    );
    return rows.map((r) => r.record);
  }

  async repLoads(): Promise<Record<string, number>> {
    const rows = await this.query<{ assignee: string; open: number }>('SELECT assignee, open FROM baton_rep_loads_now');
    const loads = Object.create(null) as Record<string, number>;
    for (const r of rows) loads[r.assignee] = r.open;
    return loads;
  }

  /**
   * Folds the rep loads' changes into their totals (the migration that keeps loads explains them), in one
   * statement: a commit in flight adds changes this fold does not see, and a fold running at the same time
   * in another process waits for this one's rows and finds them gone. Totals are locked in rep order.
   */
  /**
   * Starts a fold of the loads' changes after commits, at most one at a time and one every FOLD_MS, so a
   * step's read of the loads sums the changes of about that long. Any process's fold folds every process's
   * changes; a failed one is told to `onFoldFailed` and left to the next (the changes stay, and the loads
   * read them).
   */
  private foldSoon(): void {
    const now = Date.now();
    if (this.folding !== undefined || now - this.foldedAt < FOLD_MS) return;
    this.foldedAt = now;
    this.folding = this.foldLoads()
      .catch((err: Error) => this.onFoldFailed?.(err))
      .finally(() => {
        this.folding = undefined;
      });
  }

  async foldLoads(): Promise<void> {
    await this.query(
      `WITH moved AS (DELETE FROM baton_rep_load_changes RETURNING assignee, delta)
       INSERT INTO baton_rep_loads AS l (assignee, open)
         SELECT assignee, sum(delta)::integer FROM moved GROUP BY assignee ORDER BY assignee COLLATE "C"
       ON CONFLICT (assignee) DO UPDATE SET open = l.open + excluded.open`,
    );
  }

  async contactIds(): Promise<string[]> {
    return (await this.query<{ contact_id: string }>('SELECT contact_id FROM baton_contacts ORDER BY contact_id')).map(
      (r) => r.contact_id,
    );
  }

  async contacts(): Promise<ContactState[]> {
    const rows = await this.query<ContactRow>('SELECT version, state, history FROM baton_contacts ORDER BY contact_id');
    return rows.map((r) => this.stateOf(r, undefined, false));
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.folding;
    await this.pool.end();
  }
}

/** A handoff with no due, in list order: the largest bigint (migration 9 indexes the same expression). */
const NO_DUE = '9223372036854775807';

/** The least time between two folds of the rep loads' changes by one process. */
const FOLD_MS = 100;

/** Resolves or refuses one commit of a batch by the status the database gave it. */
function settle(q: Queued, status: string | undefined): void {
  if (status === 'ok') q.done();
  else q.fail(refusal(q.commit, status));
}

/** Why the database refused a commit, from the status it gave. */
function refusal(commit: Commit, status: string | undefined): BatonError {
  if (status === 'conflict') return new ConflictError(commit.contactId);
  if (status === 'desk_conflict') return new DeskConflictError();
  if (status === 'duplicate') return new DuplicateMessageError(commit.messageId ?? '');
  // Not a status this Baton knows: a schema of another version, or a bug; not worth sending again.
  return new BatonError('store_answer_unknown', `the database answered "${status}" for a commit`);
}

/**
 * A contact's row: its state without the older events (or with them, written before they had a column), and
 * them; when read by `historyUnlessHeld`, the key they are kept under and whether they were left out.
 */
interface ContactRow {
  version: number;
  state: Omit<ContactState, 'version'>;
  history: readonly HistoryEvent[] | null;
  history_held?: boolean | null;
  history_key?: string | null;
}

/**
 * The columns of a contact's older part for a read that holds the one under the key in parameter `key`
 * (null when it holds none): the events, unless the row keeps exactly those (`history_held`), and the key.
 */
const historyUnlessHeld = (table: string, key: string) =>
  `CASE WHEN ${table}history_key = ${key}::text THEN NULL ELSE ${table}history END AS history,
   ${table}history_key = ${key}::text AS history_held, ${table}history_key AS history_key`;

/** The older part a commit sends, and the new key the row keeps it under. */
interface SentOlderPart {
  text: string;
  key: string;
}

/** A commit's state as the database function takes it: text, parsed there once; the older events go apart. */
const stateText = (c: Commit) =>
  JSON.stringify({
    contact: { ...c.state.contact, history: NO_EVENTS },
    instances: c.state.instances,
    timers: c.state.timers,
    handoffs: c.state.handoffs,
  });

const NO_EVENTS: readonly HistoryEvent[] = [];
