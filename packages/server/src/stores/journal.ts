import { open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Commit, DeskCommit } from '@baton/engine';
import { CorruptDataFileError } from './durableJsonFile.ts';

/** One acknowledged change, as the journal keeps it: a contact's commit or a change of the routing desk. */
export type JournalRecord = { commit: Commit } | { desk: DeskCommit };

const NAME = /^runtime\.journal\.(\d+)$/;
export const journalName = (generation: number) => `runtime.journal.${generation}`;

/** The journal files in a directory, oldest generation first. */
export async function journalGenerations(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .map((f) => NAME.exec(f)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The records of a journal file. A last line without its newline is a write that was cut off before it
 * was acknowledged, and is left out; any other line that is not JSON means the file is damaged.
 */
export async function readJournal(dir: string, generation: number): Promise<JournalRecord[]> {
  const file = join(dir, journalName(generation));
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a torn write
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as JournalRecord;
    } catch (err) {
      throw new CorruptDataFileError(file, `line ${i + 1}: ${(err as Error).message}`);
    }
  });
}

/** Removes journal files older than a generation (their records are in the snapshot). */
export async function dropJournalsBefore(dir: string, generation: number): Promise<void> {
  for (const g of await journalGenerations(dir)) if (g < generation) await unlink(join(dir, journalName(g)));
}

/** An append-only journal file: each `append` is one write and one fsync, however many records it carries. */
export class JournalFile {
  bytes = 0;

  private constructor(private readonly handle: FileHandle, readonly generation: number) {}

  static async create(dir: string, generation: number): Promise<JournalFile> {
    const handle = await open(join(dir, journalName(generation)), 'a');
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync(); // the new file's name is durable too
    } finally {
      await dirHandle.close();
    }
    return new JournalFile(handle, generation);
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
