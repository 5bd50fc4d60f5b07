import { chmod, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import {
  BatonError,
  compactEvents,
  compactTimeline,
  MemoryStore,
  type ClaimRequest,
  type Commit,
  type DeskCommit,
  type HandoffQuery,
  type ReportPeriod,
  type Store,
} from '@baton/engine/internal';
import { DataFileError, JournalGapError } from './dataFileErrors.ts';
import { type DataDirLock, type DataDirLockLostError, type DataDirLockOptions, lockDataDir } from './dataDirLock.ts';
import { DurableJsonFile, TEMP_FILE } from './durableJsonFile.ts';
import {
  changeOf,
  changeRecord,
  commitOf,
  dropJournalsBefore,
  journalGenerations,
  journalLine,
  journalName,
  JournalFile,
  readJournal,
  type JournalEntry,
  type JournalRecord,
  type WrittenRecord,
} from './journal.ts';
import { EMPTY_RUNTIME, RuntimeFileSchema, snapshotChunks, type RuntimeFile } from './runtimeFile.ts';

export type { RuntimeFile } from './runtimeFile.ts';

export interface LowdbStoreOptions {
  /**
   * Journal size after which a new snapshot is written and older journals dropped (default 64 MB), or
   * the size of the last snapshot when that is larger: a snapshot costs what the state weighs, so its
   * cost per commit stays bounded however many contacts there are.
   */
  compactBytes?: number;
  /** Take `compactBytes` as it is, however large the last snapshot (an operator's explicit setting). Default false. */
  fixedCompactBytes?: boolean;
  /** Where a recovered torn write is reported (default: console.warn). */
  warn?: (message: string) => void;
  /** How the data directory's lock is kept: its lease and heartbeat (tests shorten them). */
  lock?: Pick<DataDirLockOptions, 'leaseMs' | 'heartbeatMs'>;
  /**
   * Told once if another process takes the data directory's lock while this store is open (a container
   * that judged this one dead): from then on the store refuses every commit and writes nothing more; a
   * server should stop at once.
   */
  onLockLost?: (error: DataDirLockLostError) => void;
}

/**
 * The default store of `baton serve`: runtime state (contacts with their journeys' instances, timers and
 * handoffs, the routing desk, the outbox) kept by lowdb in `DIR/runtime.json`. Reads come from memory.
 *
 * lowdb rewrites its whole file, which at 100k contacts takes seconds. So a commit is acknowledged once it
 * is in the journal (`runtime.journal.N`, one line per commit): group commit appends every commit made
 * since the last write in one write and one fsync. When the journal has grown, lowdb writes a new snapshot
 * (streamed, so events keep flowing) and older journals are dropped. Opening reads the snapshot and
 * replays the journals after it. Journeys and the team are configuration and live in their own file.
 */
export class LowdbStore implements Store {
  /** How many durable writes carried commits (group commit makes this far fewer than the commits). */
  writes = 0;
  /** How many snapshots were written since the store opened. */
  snapshots = 0;
  private pending: string[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private next: Promise<void> | null = null;
  private failure: Error | null = null;
  /** The outbox position of the last effect that is durable, and of the last one staged. */
  private durableSeq = 0;
  private stagedSeq = 0;
  private compacting: Promise<void> | null = null;

  private constructor(
    private readonly memory: MemoryStore,
    private readonly db: Low<RuntimeFile>,
    private journal: JournalFile,
    private readonly dir: string,
    private readonly lock: DataDirLock,
    private readonly compactBytes: number,
  ) {}

  /** The last journal record number given out: every commit and desk change gets the next one. */
  private lsn = 0;
  /** The size of the last snapshot written or opened (runtime.json). */
  private snapshotBytes = 0;
  private fixedCompact = false;

  /**
   * Opens (or creates) the store in a data directory, owner-only; refuses a directory another process
   * holds, a file that is not Baton's, and a damaged journal, naming the file and line and changing nothing.
   */
  static async open(dir: string, options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const lock = await lockDataDir(dir, {
      ...options.lock,
      ...(options.warn ? { warn: options.warn } : {}),
      onLost: (error) => {
        (options.warn ?? console.warn)(`baton: ${error.message}`);
        options.onLockLost?.(error);
      },
    });
    try {
      // A write killed half-way leaves its temporary file; the data file it was replacing is intact.
      for (const f of await readdir(dir)) if (TEMP_FILE.test(f)) await unlink(join(dir, f));
      const db = new Low<RuntimeFile>(
        new DurableJsonFile(join(dir, 'runtime.json'), {
          schema: RuntimeFileSchema,
          serialize: snapshotChunks,
          // Asked again before the written snapshot replaces the old one (it takes a while to write).
          beforeWrite: () => lock.confirm(true),
        }),
        EMPTY_RUNTIME,
      );
      await db.read();
      // Reading a large snapshot takes a while: still this process's directory before anything is removed?
      lock.confirm(true);
      const base = db.data;
      // The store's memory holds the state from here: lowdb keeping the file's data as well would keep
      // every contact's old state alive once it changes (up to twice the memory).
      db.data = EMPTY_RUNTIME;
      const memory = MemoryStore.fromSnapshot(base, {}, false); // (timelines indexed once the journal is in)
      // Journals before the snapshot's generation are in it (a crash came between the snapshot and their removal).
      await dropJournalsBefore(dir, base.journal);
      const generations = await journalGenerations(dir);
      let lsn = base.lsn;
      let tail = { generation: base.journal, validBytes: 0 };
      for (const g of generations) {
        const newest = g === generations.at(-1);
        const contents = await readJournal(dir, g, newest);
        lsn = replayJournal(memory, join(dir, journalName(g)), contents.entries, base.lsn, lsn);
        if (contents.tornBytes > 0) {
          (options.warn ?? console.warn)(
            `baton: ${join(dir, journalName(g))}: dropped a torn last write at byte ${contents.validBytes} (${contents.tornBytes} bytes, never acknowledged)`,
          );
        }
        if (newest) tail = { generation: g, validBytes: contents.validBytes };
      }
      // Every timeline gets its index once, the journal's replacements included.
      memory.indexTimelines();
      lock.confirm(true); // before the journal's torn tail is cut off
      // Commits go on in the newest journal (its torn tail cut off first): one generation per snapshot, not per start.
      const journal = await JournalFile.open(dir, tail.generation, tail.validBytes);
      const store = new LowdbStore(memory, db, journal, dir, lock, options.compactBytes ?? 64 * 1024 * 1024);
      store.lsn = lsn;
      store.durableSeq = store.stagedSeq = memory.outboxSeq;
      store.fixedCompact = options.fixedCompactBytes === true;
      store.snapshotBytes = await fileSize(join(dir, 'runtime.json'));
      return store;
    } catch (err) {
      await lock();
      throw err;
    }
  }

  load = (contactId: string) => this.memory.load(contactId);
  hasMessage = (messageId: string) => this.memory.hasMessage(messageId);
  claimDueTimers = (request: ClaimRequest) => this.memory.claimDueTimers(request);
  nextDueAt = () => this.memory.nextDueAt();
  /** Effects of durable commits only: a webhook is never sent for a commit a crash could still take back. */
  readOutbox = async (after: number, limit: number) => {
    const entries = await this.memory.readOutbox(after, limit);
    const durable = entries.findIndex((e) => e.seq > this.durableSeq);
    return durable < 0 ? entries : entries.slice(0, durable);
  };
  /** Pruned in memory, so the next snapshot leaves the effects out; a replayed journal may bring back a few below the cursor, pruned again at the next call. */
  pruneOutbox = (upTo: number) => this.memory.pruneOutbox(upTo);
  /** Forgotten in memory, so the next snapshot leaves them out; ids a replayed journal brings back keep their instant and go at the next call. */
  forgetMessages = (before: number) => this.memory.forgetMessages(before);
  contactIds = () => this.memory.contactIds();
  contacts = () => this.memory.contacts();
  loadDesk = () => this.memory.loadDesk();
  openHandoffs = () => this.memory.openHandoffs();
  openHandoffCounts = () => this.memory.openHandoffCounts();
  lateHandoffCounts = (now: number) => this.memory.lateHandoffCounts(now);
  handoff = (id: string) => this.memory.handoff(id);
  handoffs = (query: HandoffQuery) => this.memory.handoffs(query);
  report = (period: ReportPeriod) => this.memory.report(period);
  waitingHandoffs = (query: Parameters<Store['waitingHandoffs']>[0]) => this.memory.waitingHandoffs(query);
  repLoads = () => this.memory.repLoads();

  async commit(commit: Commit): Promise<void> {
    this.stage(commit);
    return this.flush();
  }

  /** Applies a commit to memory and queues its journal record; `durable()` (or the next write) carries it. */
  stage(commit: Commit): void {
    this.writable();
    const before = this.memory.stateOf(commit.contactId);
    this.memory.applyCommit(commit); // a refused commit throws here and nothing is journaled
    // Numbered in the same moment it changed memory; written as what changed once the contact exists.
    const record: WrittenRecord =
      before === undefined || commit.forget ? { commit } : changeRecord(changeOf(commit, before));
    this.pending.push(journalLine(++this.lsn, record));
    this.stagedSeq = this.memory.outboxSeq;
  }

  /** Resolves once every commit staged so far is in the journal, fsync'd. */
  durable(): Promise<void> {
    return this.pending.length > 0 ? this.flush() : this.inFlight.then(() => this.writable());
  }

  async commitDesk(desk: DeskCommit): Promise<void> {
    this.writable();
    this.memory.applyDesk(desk);
    this.pending.push(journalLine(++this.lsn, { desk }));
    return this.flush();
  }

  /** Writes a snapshot now and drops the journals it covers (done on its own as the journal grows). */
  compact(): Promise<void> {
    this.compacting ??= this.snapshotNow().finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  /** Waits for the last write, then releases the data directory. */
  async close(): Promise<void> {
    await this.inFlight;
    await this.compacting?.catch(() => undefined);
    await this.journal.close();
    await this.lock();
  }

  /** The write failure that makes the store refuse commits until Baton restarts, or null (readiness). */
  get failed(): Error | null {
    return this.lock.lost ?? this.failure;
  }

  /**
   * Throws `DataDirLockLostError` if the data directory is no longer this process's: checked again at
   * most once a heartbeat, or now with `fresh`. The server's other files in the directory ask it before
   * they write.
   */
  checkLock(fresh = false): void {
    this.lock.confirm(fresh);
  }

  private writable(fresh = false): void {
    this.checkLock(fresh);
    if (this.failure)
      throw new BatonError(
        'store_failed',
        `the data file could not be written (${this.failure.message}); restart Baton`,
        { cause: this.failure },
      );
  }

  /** Group commit: joins the write that has not started yet, or queues one after the write in progress. */
  private flush(): Promise<void> {
    if (!this.next) {
      const write = this.inFlight.then(async () => {
        this.next = null;
        // After a failed write nothing more is written: a later record on disk without the lost one before
        // it would be a gap, and the next start would refuse the directory as damaged.
        this.writable();
        const lines = this.pending.join('');
        const upTo = this.stagedSeq; // taken with the lines: the effects of exactly these commits
        this.pending = [];
        this.writes++;
        try {
          await this.journal.append(lines);
          this.durableSeq = upTo;
        } catch (err) {
          // The commits of this write are answered as the later ones will be (store_failed, a 503 to send
          // again), not as a bug; the disk's own error is the cause, and what `failed` reports.
          this.failure ??= err as Error;
          this.writable();
        }
        if (
          this.journal.bytes >=
          (this.fixedCompact ? this.compactBytes : Math.max(this.compactBytes, this.snapshotBytes))
        )
          void this.compact().catch((err) =>
            console.error('baton: snapshot failed, the journal keeps everything:', err),
          );
      });
      this.next = write;
      this.inFlight = write.catch(() => undefined);
    }
    return this.next;
  }

  /**
   * Switches commits to a new journal and writes what memory holds up to that switch as the snapshot.
   * Contact states are immutable values, so the captured list stays as it was while it is written.
   */
  private async snapshotNow(): Promise<void> {
    let snapshot!: RuntimeFile;
    // Inside the write chain: no journal write is in progress while the journal changes.
    const switched = this.inFlight.then(async () => {
      this.writable();
      const next = await JournalFile.open(this.dir, this.journal.generation + 1, 0);
      const old = this.journal;
      this.journal = next;
      await old.close();
      // Memory and the record number are read in one synchronous moment: the snapshot holds exactly the
      // records up to `lsn`. Records after it may be in the old journal's successor or still pending;
      // either way replay skips what the snapshot holds, so no commit is applied twice.
      const data = this.memory.snapshot();
      snapshot = {
        ...data,
        outbox: [...data.outbox],
        messages: data.messages,
        journal: next.generation,
        lsn: this.lsn,
      };
    });
    this.inFlight = switched.catch(() => undefined);
    await switched;
    // (runtime.json's own check reads the lock again as its write starts and before it replaces the file.)
    this.db.data = snapshot;
    try {
      await this.db.write();
    } finally {
      this.db.data = EMPTY_RUNTIME; // the snapshot's list would keep every contact's state of that moment alive
    }
    this.snapshotBytes = await fileSize(join(this.dir, 'runtime.json'));
    // The snapshot took a while: the journals go only if the directory is still this process's.
    this.writable(true);
    await dropJournalsBefore(this.dir, snapshot.journal);
    this.snapshots++;
  }
}

/** A file's size in bytes, 0 when there is none. */
async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/**
 * Replays a journal's records onto the snapshot's state: numbered records up to the snapshot's `after`
 * are in it already and skipped, the rest must follow on one by one. Returns the last record number.
 */
function replayJournal(
  memory: MemoryStore,
  file: string,
  entries: readonly JournalEntry[],
  after: number,
  last: number,
): number {
  let previous: number | null = null;
  for (const { lsn, line, record } of entries) {
    if (lsn === null) {
      applyLegacy(memory, file, line, record);
      continue;
    }
    if (previous !== null && lsn !== previous + 1)
      throw new JournalGapError(file, line, `record ${lsn} follows record ${previous}`);
    previous = lsn;
    if (lsn <= after) continue;
    if (lsn !== last + 1) throw new JournalGapError(file, line, `record ${lsn} comes where record ${last + 1} should`);
    apply(memory, file, line, record);
    last = lsn;
  }
  return last;
}

function apply(memory: MemoryStore, file: string, line: number, record: JournalRecord): void {
  try {
    // Events read back are held as a step holds them (names interned, empty properties shared): only
    // those the record brings, since the contact's earlier ones were held so already.
    if ('commit' in record) {
      compactTimeline(record.commit.state.contact);
      memory.applyCommit(record.commit);
    } else if ('change' in record) {
      const before = memory.stateOf(record.change.contactId);
      if (before === undefined || before.version !== record.change.expectedVersion)
        throw new BatonError('conflict', `it was made on version ${record.change.expectedVersion}, which is not there`);
      const { recentAdded, historyAdded, contact } = record.change;
      if (recentAdded) compactEvents(recentAdded);
      if (Array.isArray(historyAdded)) compactEvents(historyAdded);
      if (contact) compactTimeline(contact);
      memory.applyCommit(commitOf(record.change, before));
    } else memory.applyDesk(record.desk);
  } catch (err) {
    if (!(err instanceof BatonError)) throw err;
    const what =
      'commit' in record || 'change' in record
        ? `the change of contact ${JSON.stringify('commit' in record ? record.commit.contactId : record.change.contactId)}`
        : 'the change of the routing desk';
    throw new DataFileError(
      file,
      `${file} line ${line}: ${what} does not follow from the state before it (${err.message}), so the data directory is damaged. Baton left it as it is: restore it from a backup.`,
    );
  }
}

/**
 * A record written before records were numbered: a snapshot taken under load could hold it already, so
 * one the state has moved past (its contact or desk is at or beyond the version it wrote) is skipped.
 */
function applyLegacy(memory: MemoryStore, file: string, line: number, record: JournalRecord): void {
  const applied =
    'desk' in record
      ? memory.deskNow().version > record.desk.expectedVersion
      : (memory.stateOf('commit' in record ? record.commit.contactId : record.change.contactId)?.version ?? 0) >
        ('commit' in record ? record.commit.expectedVersion : record.change.expectedVersion);
  if (!applied) apply(memory, file, line, record);
}
