import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { StorageOptions } from '../host/storage.ts';

/** Where a command writes and where it resolves relative paths. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Resolves once stdout has taken what was written (a pipe's reader may be slower than a command writes);
   * absent where writes are taken at once.
   */
  stdoutDrained?: () => Promise<void>;
  cwd: string;
  /** Whether stderr is a terminal (a progress bar is drawn only then). */
  stderrIsTTY?: boolean;
}

/** Exit codes of every command (SPEC §8). */
export const EXIT = { ok: 0, invalid: 1, misuse: 2 } as const;

/** A failure with the exit code it ends in and one clear line for the user. */
export class CliError extends Error {
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Reads and parses a JSON file, failing with one clear line naming the file. */
export async function readJsonFile(io: CliIO, path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      1,
      code === 'ENOENT'
        ? `${what} file not found: ${path}`
        : `cannot read ${what} file ${path}: ${code ?? String(err)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(1, `${what} file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Writes a value as JSON to stdout. */
export function printJson(io: CliIO, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Where `serve` and `signin` keep their data: `--database` (or `BATON_DATABASE_URL`, unless `--data` is
 * given: a flag says more than the environment it runs in) for PostgreSQL, with
 * `BATON_HISTORY_CACHE_EVENTS` the past events a process keeps for the contacts it steps (default 500,000;
 * 0 keeps none), otherwise the lowdb directory `--data` (default ./data; `BATON_SNAPSHOT_BYTES` sets the
 * journal size that triggers a snapshot, taken as it is).
 */
export function storageOf(
  io: CliIO,
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): StorageOptions {
  const database =
    typeof values.database === 'string'
      ? values.database
      : values.data === undefined
        ? env.BATON_DATABASE_URL
        : undefined;
  if (database !== undefined && database !== '') {
    if (values.data !== undefined) throw new CliError(2, 'give --data (lowdb) or --database (PostgreSQL), not both');
    if (!/^postgres(ql)?:\/\//.test(database))
      throw new CliError(2, `--database needs a postgres:// URL, got ${JSON.stringify(database)}`);
    const cache = env.BATON_HISTORY_CACHE_EVENTS;
    if (cache === undefined || cache === '') return { database };
    const historyCacheEvents = Number(cache);
    if (!/^\d+$/.test(cache) || historyCacheEvents > 100_000_000)
      throw new CliError(
        2,
        `BATON_HISTORY_CACHE_EVENTS is how many past events a process keeps for the contacts it steps, a whole number from 0 to 100000000, got ${JSON.stringify(cache)}`,
      );
    return { database, historyCacheEvents };
  }
  const snapshotBytes = Number(env.BATON_SNAPSHOT_BYTES);
  const data = resolve(io.cwd, typeof values.data === 'string' ? values.data : './data');
  return Number.isInteger(snapshotBytes) && snapshotBytes > 0 ? { data, snapshotBytes } : { data };
}
