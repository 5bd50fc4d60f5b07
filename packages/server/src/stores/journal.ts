import { open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { BatonError, type Commit, type ContactState, type DeskCommit, type HistoryEvent } from '@baton/engine';
import { DamagedJournalError } from './dataFileErrors.ts';

/**
 * A contact's commit as the journal keeps it once the contact exists: what changed since the state it
 * was made on (the fields of the contact, the runs, timers and handoffs whose value is new, the events
 * added to `recent`, and a fold of the older part as the events it dropped and added), so a long-lived
 * contact's line does not carry its whole timeline on every event, nor on every 32nd.
 */
export interface ContactChange extends Omit<Commit, 'state'> {
  /** The contact's fields that changed (`recent` only when it did not just grow). */
  contact?: Record<string, unknown>;
  /** The contact's fields that were removed. */
  unset?: string[];
  /** Events appended to `recent`. */
  recentAdded?: readonly HistoryEvent[];
  /**
   * A fold of the timeline's older part (`history`): the state's `history` less its first `historyDropped`
   * events, then `historyAdded`. A `history` that is not such a fold (an event that came late) is written
   * whole in `contact`, as before.
   */
  historyDropped?: number;
  historyAdded?: readonly HistoryEvent[];
  instances?: ContactState['instances'];
  timers?: ContactState['timers'];
  handoffs?: ContactState['handoffs'];
}

/** One acknowledged change, as the journal keeps it: a contact's commit (whole, or as a change) or a change of the routing desk. */
export type JournalRecord = { commit: Commit } | { change: ContactChange } | { desk: DeskCommit };

/**
 * How a contact's change is written: a change with a fold of the older part under a kind of its own,
 * `folded`, which a version of Baton from before folds were written so refuses as damage (its data left
 * as it is) instead of reading the change without the fold and losing the folded events. Read back, it
 * is a `change` like any other.
 */
export type WrittenRecord = JournalRecord | { folded: ContactChange };

/** The record of a contact's change, as `WrittenRecord` says. */
export const changeRecord = (change: ContactChange): WrittenRecord =>
  change.historyAdded !== undefined ? { folded: change } : { change };

/** What a commit changed in a contact's state `before` (the state it was made on). */
export function changeOf(commit: Commit, before: ContactState): ContactChange {
  const { state, ...rest } = commit;
  const change: ContactChange = rest;
  const was = before.contact as unknown as Record<string, unknown>;
  const now = state.contact as unknown as Record<string, unknown>;
  if (was !== now) {
    const changed: Record<string, unknown> = {};
    let any = false;
    for (const key of Object.keys(now)) {
      if (now[key] === was[key] || key === 'recent') continue;
      if (key === 'history' && Object.hasOwn(was, 'history')) {
        // A fold keeps the older events it does not drop: only the dropped count and the added ones are new.
        const fold = foldOf(before.contact.history, state.contact.history);
        if (fold !== null) {
          change.historyDropped = fold.dropped;
          change.historyAdded = fold.added;
          continue;
        }
      }
      changed[key] = now[key];
      any = true;
    }
    const unset = Object.keys(was).filter((key) => !Object.hasOwn(now, key));
    if (unset.length > 0) change.unset = unset;
    const oldRecent = before.contact.recent;
    const newRecent = state.contact.recent;
    if (newRecent !== oldRecent && newRecent !== undefined) {
      if (oldRecent !== undefined && grewFrom(newRecent, oldRecent))
        change.recentAdded = newRecent.slice(oldRecent.length);
      else {
        changed.recent = newRecent;
        any = true;
      }
    }
    if (any) change.contact = changed;
  }
  if (state.instances !== before.instances) change.instances = state.instances;
  if (state.timers !== before.timers) change.timers = state.timers;
  if (state.handoffs !== before.handoffs) change.handoffs = state.handoffs;
  return change;
}

/**
 * `next` as `prev` less its first `dropped` events, then `added` (the same event objects in between), or
 * null when it is not (an event went in among the kept ones, or nothing was kept).
 */
function foldOf(
  prev: readonly HistoryEvent[],
  next: readonly HistoryEvent[],
): { dropped: number; added: readonly HistoryEvent[] } | null {
  if (prev.length === 0) return next.length > 0 ? { dropped: 0, added: next } : null;
  const dropped = next.length === 0 ? -1 : prev.indexOf(next[0]!);
  if (dropped < 0) return null;
  const kept = prev.length - dropped;
  if (next.length < kept) return null;
  for (let i = 1; i < kept; i++) if (next[i] !== prev[dropped + i]) return null;
  return { dropped, added: next.slice(kept) };
}

/** Whether `next` is `prev` with events appended (the same event objects first). */
function grewFrom(next: readonly HistoryEvent[], prev: readonly HistoryEvent[]): boolean {
  if (next.length < prev.length) return false;
  for (let i = 0; i < prev.length; i++) if (next[i] !== prev[i]) return false;
  return true;
}

/** The commit a change stands for, made on `before` (the contact's state at the change's expected version). */
export function commitOf(change: ContactChange, before: ContactState): Commit {
  const { contact, unset, recentAdded, historyDropped, historyAdded, instances, timers, handoffs, ...rest } = change;
  const next: Record<string, unknown> = { ...(before.contact as unknown as Record<string, unknown>), ...contact };
  for (const key of unset ?? []) delete next[key];
  if (recentAdded !== undefined) next.recent = [...(before.contact.recent ?? []), ...recentAdded];
  if (historyDropped !== undefined || historyAdded !== undefined) {
    const history = before.contact.history;
    if (
      !Number.isInteger(historyDropped) ||
      historyDropped! < 0 ||
      historyDropped! > history.length ||
      !Array.isArray(historyAdded)
    )
      throw new BatonError(
        'conflict',
        `its fold drops ${JSON.stringify(historyDropped)} of the ${history.length} older events and adds ${Array.isArray(historyAdded) ? historyAdded.length : JSON.stringify(historyAdded)}`,
      );
    next.history = history.slice(historyDropped).concat(historyAdded);
  }
  return {
    ...rest,
    state: {
      contact: next as unknown as ContactState['contact'],
      instances: instances ?? before.instances,
      timers: timers ?? before.timers,
      handoffs: handoffs ?? before.handoffs,
      version: change.expectedVersion + 1,
    },
  };
}

/**
 * A record read back: its log sequence number (null for a line written before records were numbered),
 * where it is (for error messages), and the change.
 */
export interface JournalEntry {
  lsn: number | null;
  line: number;
  record: JournalRecord;
}

/** What a journal file held: its records, and the byte offset where a torn last write began, if any. */
export interface JournalContents {
  entries: JournalEntry[];
  /** Where the valid records end; bytes after it are a write that was never acknowledged. */
  validBytes: number;
  /** How many bytes after `validBytes` were torn (0 when the file ends cleanly). */
  tornBytes: number;
}

const NAME = /^runtime\.journal\.(\d+)$/;
export const journalName = (generation: number) => `runtime.journal.${generation}`;

/**
 * A journal line: `LSN CRC JSON\n`, where CRC is the CRC-32 of `LSN JSON` in hex. The number orders every
 * record across journal generations and snapshots (a snapshot names the last one it holds); the checksum
 * tells a line that was written whole from one that was torn or damaged.
 */
export function journalLine(lsn: number, record: WrittenRecord): string {
  const json = JSON.stringify(record);
  const body = `${lsn} ${json}`;
  return `${lsn} ${crc32(body).toString(16).padStart(8, '0')} ${json}\n`;
}

const isRecord = (x: unknown): x is WrittenRecord =>
  typeof x === 'object' &&
  x !== null &&
  !Array.isArray(x) &&
  (['commit', 'change', 'desk', 'folded'] as const).some(
    (kind) =>
      Object.hasOwn(x, kind) &&
      typeof (x as Record<string, unknown>)[kind] === 'object' &&
      (x as Record<string, unknown>)[kind] !== null,
  );

/** Parses one line (without its newline); a string says what is wrong with it. */
function parseLine(text: string, line: number): JournalEntry | string {
  const legacy = text.startsWith('{');
  let lsn: number | null = null;
  let json = text;
  if (!legacy) {
    const m = /^(\d{1,15}) ([0-9a-f]{8}) /.exec(text);
    if (!m) return 'not a journal record';
    json = text.slice(m[0].length);
    if (crc32(`${m[1]} ${json}`) !== Number.parseInt(m[2]!, 16)) return 'its checksum does not match';
    lsn = Number(m[1]);
  }
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch (err) {
    return `not JSON (${(err as Error).message})`;
  }
  if (!isRecord(record)) return 'not a commit, a change or a desk change';
  return { lsn, line, record: 'folded' in record ? { change: record.folded } : record };
}

/** The journal files in a directory, oldest generation first. */
export async function journalGenerations(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .map((f) => NAME.exec(f)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Reads a journal file. A torn write can only be the end of the file: the last append, cut off by a
 * crash before it was acknowledged (a line without its newline, a line whose checksum fails, or a tail
 * of zero bytes that a power cut can leave). It is reported in `tornBytes` for the caller to drop, when
 * `mayBeTorn` (only the newest journal is ever written after a crash). A bad record with a good one after
 * it, or any bad record where no write can have been torn, is damage: DamagedJournalError, naming the
 * file and line.
 */
export async function readJournal(dir: string, generation: number, mayBeTorn: boolean): Promise<JournalContents> {
  const file = join(dir, journalName(generation));
  const bytes = await readFile(file);
  const entries: JournalEntry[] = [];
  let offset = 0;
  let line = 0;
  while (offset < bytes.length) {
    line++;
    const end = bytes.indexOf(0x0a, offset);
    const problem = end < 0 ? 'cut off before its end' : parseLine(bytes.toString('utf8', offset, end), line);
    if (typeof problem !== 'string') {
      entries.push(problem);
      offset = end + 1;
      continue;
    }
    if (mayBeTorn && !hasRecordAfter(bytes, end))
      return { entries, validBytes: offset, tornBytes: bytes.length - offset };
    throw new DamagedJournalError(file, line, offset, problem);
  }
  return { entries, validBytes: offset, tornBytes: 0 };
}

/** Whether any whole, valid record follows position `end` (where a bad line ended, or -1 for none). */
function hasRecordAfter(bytes: Buffer, end: number): boolean {
  let offset = end < 0 ? bytes.length : end + 1;
  while (offset < bytes.length) {
    const next = bytes.indexOf(0x0a, offset);
    if (next < 0) return false;
    if (typeof parseLine(bytes.toString('utf8', offset, next), 0) !== 'string') return true;
    offset = next + 1;
  }
  return false;
}

/** Removes journal files older than a generation (their records are in the snapshot). */
export async function dropJournalsBefore(dir: string, generation: number): Promise<void> {
  for (const g of await journalGenerations(dir)) if (g < generation) await unlink(join(dir, journalName(g)));
}

/** An append-only journal file: each `append` is one write and one fsync, however many records it carries. */
export class JournalFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly generation: number,
    /** Bytes in the file. */
    public bytes: number,
  ) {}

  /**
   * Opens a journal generation for appending, created (owner-only) if it is new; `validBytes` cuts off a
   * torn tail first, durably, so the next record never lands behind a half-written one.
   */
  static async open(dir: string, generation: number, validBytes: number): Promise<JournalFile> {
    const handle = await open(join(dir, journalName(generation)), 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      if (size > validBytes) {
        await handle.truncate(validBytes);
        await handle.sync();
      }
      await syncDir(dir); // a new file's name is durable too
      return new JournalFile(handle, generation, Math.min(size, validBytes));
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async append(lines: string): Promise<void> {
    await this.handle.write(lines);
    await this.handle.datasync();
    this.bytes += Buffer.byteLength(lines);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Makes a directory's entries (a created, renamed or removed file) durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
