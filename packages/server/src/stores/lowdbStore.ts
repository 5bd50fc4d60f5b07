import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Low } from 'lowdb';
import { BatonError, MemoryStore, newDesk, type ClaimRequest, type Commit, type DeskCommit, type Store, type StoreSnapshot } from '@baton/engine';
import { lockDataDir } from './dataDirLock.ts';
import { DurableJsonFile } from './durableJsonFile.ts';
import { dropJournalsBefore, journalGenerations, JournalFile, readJournal, type JournalRecord } from './journal.ts';

/** The snapshot file: the store's data and the first journal generation it does not include. */
export interface RuntimeFile extends StoreSnapshot {
  journal: number;
}

const EMPTY: RuntimeFile = { contacts: [], messages: [], desk: { version: 0, state: newDesk() }, outbox: [], seq: 0, journal: 0 };

/** Writes the snapshot a few hundred records at a time, letting events in between. */
async function* snapshotChunks(data: RuntimeFile): AsyncGenerator<string> {
  const { contacts, outbox, messages, ...rest } = data;
  yield JSON.stringify(rest).slice(0, -1);
  for (const [name, list, size] of [['messages', messages, 20_000], ['outbox', outbox, 2000], ['contacts', contacts, 500]] as const) {
    yield `,"${name}":[`;
    for (let i = 0; i < list.length; i += size) {
      yield `${i === 0 ? '' : ','}${(list as readonly unknown[]).slice(i, i + size).map((x) => JSON.stringify(x)).join(',')}`;
      await yieldToEvents();
    }
    yield ']';
  }
  yield '}';
}

export interface LowdbStoreOptions {
  /** Journal size after which a new snapshot is written and older journals dropped (default 64 MB). */
  compactBytes?: number;
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
  private compacting: Promise<void> | null = null;

  private constructor(
    private readonly memory: MemoryStore,
    private readonly db: Low<RuntimeFile>,
    private journal: JournalFile,
    private readonly dir: string,
    private readonly unlock: () => Promise<void>,
    private readonly compactBytes: number,
  ) {}

  /** Opens (or creates) the store in a data directory; refuses a directory another process holds or a corrupt file. */
  static async open(dir: string, options: LowdbStoreOptions = {}): Promise<LowdbStore> {
    await mkdir(dir, { recursive: true });
    const unlock = await lockDataDir(dir);
    try {
      const db = new Low<RuntimeFile>(new DurableJsonFile(join(dir, 'runtime.json'), snapshotChunks), EMPTY);
      await db.read();
      const base = { ...EMPTY, ...db.data };
      const memory = MemoryStore.fromSnapshot(base);
      const generations = (await journalGenerations(dir)).filter((g) => g >= base.journal);
      for (const g of generations) for (const record of await readJournal(dir, g)) await replay(memory, record);
      // Commits from now on go to a new journal, so a torn tail of the last one is never appended to.
      const journal = await JournalFile.create(dir, Math.max(base.journal, (generations.at(-1) ?? -1) + 1));
      return new LowdbStore(memory, db, journal, dir, unlock, options.compactBytes ?? 64 * 1024 * 1024);
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  load = (contactId: string) => this.memory.load(contactId);
  hasMessage = (messageId: string) => this.memory.hasMessage(messageId);
  claimDueTimers = (request: ClaimRequest) => this.memory.claimDueTimers(request);
  nextDueAt = () => this.memory.nextDueAt();
  readOutbox = (after: number, limit: number) => this.memory.readOutbox(after, limit);
  /** Pruned in memory, so the next snapshot leaves the effects out; a replayed journal may bring back a few below the cursor, pruned again at the next call. */
  pruneOutbox = (upTo: number) => this.memory.pruneOutbox(upTo);
  contactIds = () => this.memory.contactIds();
  contacts = () => this.memory.contacts();
  loadDesk = () => this.memory.loadDesk();
  openHandoffs = () => this.memory.openHandoffs();
  repLoads = () => this.memory.repLoads();

  async commit(commit: Commit): Promise<void> {
    this.writable();
    await this.memory.commit(commit); // a refused commit throws here and nothing is journaled
    this.pending.push(`${JSON.stringify({ commit })}\n`);
    return this.flush();
  }

  async commitDesk(desk: DeskCommit): Promise<void> {
    this.writable();
    await this.memory.commitDesk(desk);
    this.pending.push(`${JSON.stringify({ desk })}\n`);
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
    await this.unlock();
  }

  private writable(): void {
    if (this.failure) throw new BatonError('store_failed', `the data file could not be written (${this.failure.message}); restart Baton`);
  }

  /** Group commit: joins the write that has not started yet, or queues one after the write in progress. */
  private flush(): Promise<void> {
    if (!this.next) {
      const write = this.inFlight.then(async () => {
        this.next = null;
        const lines = this.pending.join('');
        this.pending = [];
        this.writes++;
        try {
          await this.journal.append(lines);
        } catch (err) {
          this.failure = err as Error;
          throw err;
        }
        if (this.journal.bytes >= this.compactBytes) void this.compact().catch((err) => console.error('baton: snapshot failed, the journal keeps everything:', err));
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
      const next = await JournalFile.create(this.dir, this.journal.generation + 1);
      const old = this.journal;
      this.journal = next;
      await old.close();
      const data = this.memory.snapshot();
      snapshot = { ...data, outbox: [...data.outbox], messages: data.messages, journal: next.generation };
    });
    this.inFlight = switched.catch(() => undefined);
    await switched;
    this.db.data = snapshot;
    await this.db.write();
    await dropJournalsBefore(this.dir, snapshot.journal);
    this.snapshots++;
  }
}

async function replay(memory: MemoryStore, record: JournalRecord): Promise<void> {
  if ('commit' in record) await memory.commit(record.commit);
  else await memory.commitDesk(record.desk);
}
