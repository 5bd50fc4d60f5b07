import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Adapter } from 'lowdb';
import type { z } from 'zod';
import { parseDocument, type Document } from './document.ts';
import { syncDir } from './journal.ts';

const SYNC_EVERY = 4 * 1024 * 1024;

/** How a durable JSON file is read and written. */
export interface DurableJsonFileOptions<T> {
  /** What the file must hold: a file that is JSON but fails it is refused (InvalidDataFileError). */
  schema: z.ZodType<T>;
  /**
   * Turns data into the file's text in chunks; the default is one JSON.stringify. A large file passes a
   * generator that yields between chunks, so writing it never stalls the process for long.
   */
  serialize?: (data: T) => Iterable<string> | AsyncIterable<string>;
  /** Asked before each write; throwing refuses it and nothing is written (a data directory that is no longer this process's). */
  beforeWrite?: () => void;
}

/** The name of the temporary file a write goes through; a killed write can leave it, and start-up removes it. */
export const TEMP_FILE = /^\..+\.\d+(-[0-9a-f]+)?\.tmp$/;

/**
 * A lowdb adapter that writes durably: the JSON goes to a temporary file that is fsynced, renamed over
 * the data file, and then the directory is fsynced, so an acknowledged write survives a crash or power
 * loss (lowdb's own steno writer renames atomically but never fsyncs). Files are readable by their owner
 * only: they hold tokens, secrets and contacts' data.
 */
export class DurableJsonFile<T> implements Adapter<T>, Document<T> {
  private readonly serialize: (data: T) => Iterable<string> | AsyncIterable<string>;
  readonly name: string;

  constructor(
    readonly file: string,
    private readonly options: DurableJsonFileOptions<T>,
  ) {
    this.name = file;
    this.serialize = options.serialize ?? ((data) => [JSON.stringify(data)]);
  }

  /** The file's data, checked against its schema; null when there is no file. Never writes. */
  async read(): Promise<T | null> {
    return (await this.readChecked(false))?.data ?? null;
  }

  /**
   * The file's data and, with `compare`, whether the schema changed it (filled in what an earlier Baton
   * did not write, or dropped what it does not know), so the caller can write the upgraded file back.
   */
  async readChecked(compare = true): Promise<{ data: T; upgraded: boolean } | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return parseDocument(this.file, text, this.options.schema, compare);
  }

  /** The data directory is locked by this process, so nothing can come between the read and the write. */
  async create(data: T): Promise<T> {
    const existing = await this.read();
    if (existing !== null) return existing;
    await this.write(data);
    return data;
  }

  private writing: Promise<void> = Promise.resolve();

  /** Writes one after another, so an older write never lands over a newer one. */
  write(data: T): Promise<void> {
    // Serialize now: the caller may change the object while the write waits its turn (a streaming
    // serializer is given data that does not change).
    const chunks = this.serialize(data);
    const run = this.writing.then(() => this.writeChunks(chunks));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async writeChunks(chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
    this.options.beforeWrite?.();
    // Named apart from any other process's (two containers' Batons are both process 1), and made new.
    const tmp = `${dirname(this.file)}/.${basename(this.file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    const file = await open(tmp, 'wx', 0o600);
    try {
      // Flush as it goes: one fsync of a large file at the end would hold up every other fsync on the
      // disk (the journal's) for seconds.
      let unsynced = 0;
      for await (const chunk of chunks) {
        await file.write(chunk);
        unsynced += chunk.length;
        if (unsynced >= SYNC_EVERY) {
          await file.datasync();
          unsynced = 0;
        }
      }
      await file.sync();
    } finally {
      await file.close();
    }
    // Asked again before the new file replaces the old one: the write may have taken a while.
    try {
      this.options.beforeWrite?.();
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await rename(tmp, this.file);
    await syncDir(dirname(this.file));
  }
}
