import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const BIN = new URL('../bin/baton.mjs', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;

/** Every `baton serve` this module started and that has not exited yet: `killAllBatons` ends them. */
const alive = new Set<ChildProcess>();

/** A `baton serve` child process, started on a data directory and listening on 127.0.0.1. */
export interface BatonProcess {
  url: string;
  pid: number;
  writeKey: string;
  adminToken: string;
  /** True from the moment `kill` was called: requests failing after that were cut by the crash. */
  killed: boolean;
  /** Everything the process wrote on stderr so far (its JSON log lines). */
  stderr: () => string;
  /** Everything the process wrote on stdout so far (the start banner). */
  stdout: () => string;
  /** Sends a signal without waiting. */
  signal: (name: NodeJS.Signals) => void;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash or power cut would stop it; resolves once the process is gone. */
  kill: () => Promise<void>;
  /** SIGTERM, the orderly stop; resolves with the exit code. */
  stop: () => Promise<number | null>;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
}

/** Waits for a promise, failing with `what` if it takes longer than `ms` (a hang is a failure, not a wait). */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The configuration a Baton keeps in a PostgreSQL database (for its admin token). */
async function databaseConfig(database: string): Promise<{ writeKey: string; adminToken: string }> {
  const c = new pg.Client({ connectionString: database });
  await c.connect();
  try {
    const { rows } = await c.query<{ body: string }>("SELECT body FROM baton_documents WHERE name = 'config'");
    return JSON.parse(rows[0]!.body) as { writeKey: string; adminToken: string };
  } finally {
    await c.end();
  }
}

/**
 * Runs `node packages/server/bin/baton.mjs serve --port 0 --data DIR` (or `--database URL` when `data` is
 * a postgres:// URL; `args` after them, with `env` over this process's environment; an undefined value
 * removes a variable) and waits for its start banner,
 * which names the port it got. The write key comes from the banner, the admin token from the banner or,
 * when a later start no longer prints it, from `DIR/config.json` (or the database). A process that exits
 * before its banner rejects with what it wrote on stderr (a data directory it refuses to open, say).
 */
export async function startBaton(
  data: string,
  env: Record<string, string | undefined> = {},
  startMs = 30_000,
  args: string[] = [],
  wrap: string[] = [],
): Promise<BatonProcess> {
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const where = /^postgres(ql)?:\/\//.test(data) ? ['--database', data] : ['--data', data];
  // `wrap` runs it under another command (`unshare …`, a container of its own): its first word is the program.
  const command = [...wrap, process.execPath, BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...where, ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  alive.add(child);
  const exited = exitOf(child);
  void exited.then(() => alive.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));

  const banner = new Promise<URL>((done, fail) => {
    const look = () => {
      const url = /Baton is running at (http:\/\/\S+)/.exec(stdout)?.[1];
      // The banner is one write; wait for its last line so every field in it has arrived.
      if (url && /^ {2}API:/m.test(stdout)) done(new URL(url));
    };
    child.stdout!.on('data', look);
    void exited.then(({ code, signal }) =>
      fail(
        new Error(
          `baton serve on ${data} exited (code ${code}, signal ${signal}) before it started:\n${stderr || stdout}`,
        ),
      ),
    );
  });
  let url: URL;
  try {
    url = await within(startMs, `baton serve on ${data} printing its start banner`, banner);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  const config =
    where[0] === '--database'
      ? await databaseConfig(data)
      : (JSON.parse(readFileSync(join(data, 'config.json'), 'utf8')) as { writeKey: string; adminToken: string });
  const process_: BatonProcess = {
    url: url.origin,
    pid: child.pid!,
    writeKey: /write key:\s+(\S+)/.exec(stdout)?.[1] ?? config.writeKey,
    adminToken: /admin token:\s+(\S+)/.exec(stdout)?.[1] ?? config.adminToken,
    killed: false,
    stderr: () => stderr,
    stdout: () => stdout,
    signal: (name) => void child.kill(name),
    exited,
    async kill() {
      process_.killed = true;
      child.kill('SIGKILL');
      await within(10_000, `baton serve (pid ${child.pid}) ending after SIGKILL`, exited);
    },
    async stop() {
      child.kill('SIGTERM');
      return (await within(10_000, `baton serve (pid ${child.pid}) stopping after SIGTERM`, exited)).code;
    },
  };
  return process_;
}

/** SIGKILLs every `baton serve` started here that is still running (for afterAll, pass or fail). */
export async function killAllBatons(): Promise<void> {
  await Promise.all(
    [...alive].map((child) => {
      const gone = exitOf(child);
      child.kill('SIGKILL');
      return gone;
    }),
  );
}

/** A small seeded random source (mulberry32): the same seed replays the same traffic and kills. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** A whole number in [lo, hi]. */
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
  };
}
