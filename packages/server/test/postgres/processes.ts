import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { within } from '../batonProcess.ts';
import { PG_URL } from './pg.ts';

const BIN = new URL('../../bin/baton.mjs', import.meta.url).pathname;
const ROOT = new URL('../../../../', import.meta.url).pathname;

/** A fresh database on the test server, and the way to drop it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `baton_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A `baton serve --database` child process. */
export interface PgBaton {
  url: string;
  writeKey: string;
  pid: number;
  kill(): Promise<void>;
  stop(): Promise<number | null>;
  stderr(): string;
}

const running = new Set<ChildProcess>();

/** Starts `baton serve --port 0 --database URL` and waits for its banner. */
export async function startPgBaton(database: string, env: Record<string, string> = {}): Promise<PgBaton> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--database', database], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // A process that dies on its own says why, in the test's output.
  void exited.then((code) => {
    if (code !== 0 && code !== null)
      console.error(
        `baton serve (pid ${child.pid}) exited ${code}; its last lines:\n${stderr
          .split('\n')
          .filter((l) => !l.includes('"msg":"request"'))
          .slice(-40)
          .join('\n')}`,
      );
  });
  void exited.then(() => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const banner = new Promise<void>((done, fail) => {
    child.stdout!.on('data', () => /^ {2}API:/m.test(stdout) && done());
    void exited.then((code) => fail(new Error(`baton serve --database exited ${code} before it started:\n${stderr}`)));
  });
  await within(60_000, 'baton serve --database printing its banner', banner);
  return {
    url: /Baton is running at (http:\/\/\S+)/.exec(stdout)![1]!,
    writeKey: /write key:\s+(\S+)/.exec(stdout)![1]!,
    pid: child.pid!,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return within(15_000, 'baton serve stopping', exited);
    },
    stderr: () => stderr,
  };
}

/** Kills every process started here (afterAll). */
export async function killAll(): Promise<void> {
  for (const child of running) child.kill('SIGKILL');
}

/** The admin token kept in the database's configuration. */
export async function adminTokenOf(database: string): Promise<string> {
  const c = new pg.Client({ connectionString: database });
  await c.connect();
  try {
    const { rows } = await c.query<{ body: string }>("SELECT body FROM baton_documents WHERE name = 'config'");
    return (JSON.parse(rows[0]!.body) as { adminToken: string }).adminToken;
  } finally {
    await c.end();
  }
}
