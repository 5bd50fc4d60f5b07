import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

/** An accepted event as it was applied (a Segment call with its `timestamp`), with its instant. */
export interface RecordedCall {
  at: number;
  call: Record<string, unknown>;
}

/**
 * The events the server accepted, kept for backtests (SPEC §10) for a retention period: appended after
 * each is applied, read back by period, forgotten once older than the retention.
 */
export interface EventLog {
  append(records: readonly RecordedCall[]): Promise<void>;
  /** The events in `[from, to)` (either end open when null), oldest first. */
  read(from: number | null, to: number | null): Promise<RecordedCall[]>;
  /** Forgets the events before `before` (a whole day at a time in files). */
  forget(before: number): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * The log as the server's routes see it: only what is within the retention (SPEC §10: kept 30 days by
 * default), in whole UTC days as the files forget them (the day that holds the instant a retention ago is
 * kept whole). A call older than that is not kept, and a read never reaches before it: the hourly
 * `forget` removes what ages out meanwhile, and until it runs the export and the backtest read nothing older.
 */
export function retainedFor(log: EventLog, retentionMs: number, now: () => number): EventLog {
  const oldest = () => Math.floor((now() - retentionMs) / DAY_MS) * DAY_MS;
  return {
    append(records) {
      const since = oldest();
      const kept = records.every((r) => r.at >= since) ? records : records.filter((r) => r.at >= since);
      return kept.length === 0 ? Promise.resolve() : log.append(kept);
    },
    read(from, to) {
      const since = oldest();
      return log.read(from === null || from < since ? since : from, to);
    },
    forget: (before) => log.forget(before),
  };
}

/** The last day named, for the next event of the same day (nearly every one): naming a day took 2% of a batched event's CPU. */
let lastDay = { number: Number.NaN, name: '' };
const dayOf = (at: number) => {
  const number = Math.floor(at / DAY_MS);
  if (number !== lastDay.number) lastDay = { number, name: new Date(number * DAY_MS).toISOString().slice(0, 10) };
  return lastDay.name;
};
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;

/**
 * Group append, for both logs: records that arrive while a write is under way go out together in the
 * next one, and a read waits for the writes asked for before it, so an event acknowledged before a read
 * is in what it reads, although the intake does not wait for the copy.
 */
abstract class GroupedLog {
  protected writing: Promise<unknown> = Promise.resolve();
  private next: Promise<void> | null = null;
  private readonly pending: RecordedCall[] = [];

  protected abstract write(batch: RecordedCall[]): Promise<void>;

  append(records: readonly RecordedCall[]): Promise<void> {
    for (const r of records) this.pending.push(r); // not push(...): a batch can outgrow a call's arguments
    if (this.next) return this.next;
    const run = this.writing.then(() => {
      this.next = null;
      return this.write(this.pending.splice(0));
    });
    this.next = run;
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/** The lowdb directory's log: `DIR/events/YYYY-MM-DD.ndjson` by the event's UTC day, one `{ at, call }` a line, owner only. */
export class FileEventLog extends GroupedLog implements EventLog {
  private readonly dir: string;
  /** The directory, made once (a failed attempt is tried again at the next write). */
  private made: Promise<void> | null = null;
  /**
   * The newest day's file, kept open for appending: opening and closing it for every write was a twentieth
   * of a tracked event's CPU. Events of other days (late ones) are appended by opening their file.
   */
  private current: { day: string; file: FileHandle } | null = null;

  /** `beforeWrite` is asked before each write; throwing refuses it (a data directory that is no longer this process's). */
  constructor(
    data: string,
    private readonly beforeWrite: () => void = () => undefined,
  ) {
    super();
    this.dir = join(data, 'events');
  }

  protected async write(batch: RecordedCall[]): Promise<void> {
    this.beforeWrite();
    this.made ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (err: unknown) => {
        this.made = null;
        throw err;
      },
    );
    await this.made;
    const byDay = new Map<string, string[]>();
    for (const r of batch) {
      const day = dayOf(r.at);
      const lines = byDay.get(day);
      if (lines) lines.push(JSON.stringify(r));
      else byDay.set(day, [JSON.stringify(r)]);
    }
    for (const [day, lines] of byDay) {
      const text = `${lines.join('\n')}\n`;
      if (this.current?.day === day) {
        await this.current.file.appendFile(text);
        continue;
      }
      const file = await open(join(this.dir, `${day}.ndjson`), 'a', 0o600);
      try {
        await file.appendFile(text);
      } finally {
        // The newest day seen stays open; an older one (a late event) is closed again.
        if (this.current === null || day > this.current.day) {
          await this.current?.file.close();
          this.current = { day, file };
        } else await file.close();
      }
    }
  }

  /** Closes the open day's file, after the writes asked for. */
  async close(): Promise<void> {
    await this.writing;
    const open = this.current;
    this.current = null;
    await open?.file.close();
  }

  async read(from: number | null, to: number | null): Promise<RecordedCall[]> {
    await this.writing;
    const out: RecordedCall[] = [];
    for (const day of await this.days()) {
      const start = Date.parse(`${day}T00:00:00Z`);
      if ((from !== null && start + DAY_MS <= from) || (to !== null && start >= to)) continue;
      const text = await readFile(join(this.dir, `${day}.ndjson`), 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let r: RecordedCall;
        try {
          r = JSON.parse(line) as RecordedCall;
        } catch {
          continue; // the torn last line of a write the process did not finish
        }
        if ((from === null || r.at >= from) && (to === null || r.at < to)) out.push(r);
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  async forget(before: number): Promise<void> {
    await this.writing;
    for (const day of await this.days()) {
      if (Date.parse(`${day}T00:00:00Z`) + DAY_MS > before) continue;
      if (this.current?.day === day) await this.close();
      await rm(join(this.dir, `${day}.ndjson`), { force: true });
    }
  }

  private async days(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.flatMap((n) => DAY_FILE.exec(n)?.[1] ?? []).sort();
  }
}

/** PostgreSQL's log: the table `baton_event_log`, made by the store's migrations (it holds nothing the store reads). */
export class PgEventLog extends GroupedLog implements EventLog {
  constructor(private readonly pool: pg.Pool) {
    super();
  }

  protected async write(records: RecordedCall[]): Promise<void> {
    if (records.length === 0) return;
    await this.pool.query('INSERT INTO baton_event_log (at, call) SELECT * FROM unnest($1::bigint[], $2::jsonb[])', [
      records.map((r) => r.at),
      records.map((r) => JSON.stringify(r.call)),
    ]);
  }

  async read(from: number | null, to: number | null): Promise<RecordedCall[]> {
    await this.writing;
    const { rows } = await this.pool.query<{ at: string; call: Record<string, unknown> }>(
      'SELECT at, call FROM baton_event_log WHERE ($1::bigint IS NULL OR at >= $1) AND ($2::bigint IS NULL OR at < $2) ORDER BY at, seq',
      [from, to],
    );
    return rows.map((r) => ({ at: Number(r.at), call: r.call }));
  }

  async forget(before: number): Promise<void> {
    await this.writing;
    await this.pool.query('DELETE FROM baton_event_log WHERE at < $1', [before]);
  }
}
