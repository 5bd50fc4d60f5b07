import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { BatonError, MemoryStore, newDesk, type ClaimRequest, type Commit, type DeskCommit, type Store, type StoreSnapshot } from '@baton/engine';
import { lockDataDir } from './dataDirLock.ts';
import { DurableJsonFile } from './durableJsonFile.ts';

const EMPTY: StoreSnapshot = { contacts: [], messages: [], desk: { version: 0, state: newDesk() }, outbox: [], seq: 0 };

/**
 * The default store of `baton serve`: runtime state (contacts, journeys' instances, timers, handoffs, the
 * routing desk, the outbox) in `DIR/runtime.json`, kept by lowdb. Reads come from memory. Writes use group
 * commit: one durable (fsynced) write carries every commit made since the last, and a commit resolves only
 * once the write that carries it is on disk. Journeys and the team are configuration and live in their own
 * file, so editing them never rewrites runtime state.
 */
export class LowdbStore implements Store {
  /** How many times the data file was written (group commit makes this far fewer than the commits). */
  writes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private next: Promise<void> | null = null;
  private failure: Error | null = null;

  private constructor(
    private readonly memory: MemoryStore,
    private readonly db: Low<StoreSnapshot>,
    private readonly unlock: () => Promise<void>,
  ) {}

  /** Opens (or creates) the store in a data directory; refuses a directory another process holds or a corrupt file. */
  static async open(dir: string): Promise<LowdbStore> {
    await mkdir(dir, { recursive: true });
    const unlock = await lockDataDir(dir);
    try {
      const db = new Low<StoreSnapshot>(new DurableJsonFile(join(dir, 'runtime.json')), EMPTY);
      await db.read();
      return new LowdbStore(MemoryStore.fromSnapshot(db.data ?? EMPTY), db, unlock);
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
  contactIds = () => this.memory.contactIds();
  loadDesk = () => this.memory.loadDesk();
  openHandoffs = () => this.memory.openHandoffs();
  repLoads = () => this.memory.repLoads();

  async commit(commit: Commit): Promise<void> {
    this.writable();
    await this.memory.commit(commit); // a refused commit throws here and nothing is written
    return this.flush();
  }

  async commitDesk(desk: DeskCommit): Promise<void> {
    this.writable();
    await this.memory.commitDesk(desk);
    return this.flush();
  }

  /** Waits for the last write, then releases the data directory. */
  async close(): Promise<void> {
    await this.inFlight;
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
        this.db.data = this.memory.snapshot();
        this.writes++;
        try {
          await this.db.write();
        } catch (err) {
          this.failure = err as Error;
          throw err;
        }
      });
      this.next = write;
      this.inFlight = write.catch(() => undefined);
    }
    return this.next;
  }
}
