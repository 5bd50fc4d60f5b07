import { open, readFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Adapter } from 'lowdb';
import { BatonError } from '@baton/engine';

/** A data file that exists but cannot be read as JSON: Baton refuses to start and leaves it untouched. */
export class CorruptDataFileError extends BatonError {
  constructor(readonly file: string, reason: string) {
    super('data_file_corrupt', `${file} is not valid JSON (${reason}). Baton left it as it is: restore it from a backup or move it away to start empty.`);
  }
}

const SYNC_EVERY = 4 * 1024 * 1024;

/**
 * A lowdb adapter that writes durably: the JSON goes to a temporary file that is fsynced, renamed over
 * the data file, and then the directory is fsynced, so an acknowledged write survives a crash or power
 * loss (lowdb's own steno writer renames atomically but never fsyncs).
 */
export class DurableJsonFile<T> implements Adapter<T> {
  /**
   * `serialize` turns data into the file's text in chunks; the default is one JSON.stringify. A large file
   * passes a generator that yields between chunks, so writing it never stalls the process for long.
   */
  constructor(
    readonly file: string,
    private readonly serialize: (data: T) => Iterable<string> | AsyncIterable<string> = (data) => [JSON.stringify(data)],
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CorruptDataFileError(this.file, (err as Error).message);
    }
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
    const tmp = `${dirname(this.file)}/.${basename(this.file)}.${process.pid}.tmp`;
    const file = await open(tmp, 'w');
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
    await rename(tmp, this.file);
    const dir = await open(dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
