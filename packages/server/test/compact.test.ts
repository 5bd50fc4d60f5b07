import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newContactState, withEvent, type ContactState, type Timeline } from '@baton/engine/internal';
import { LowdbStore, openServer } from '../src/index.ts';
import { freshDir } from './harness.ts';

const root = new URL('../../../', import.meta.url).pathname;
const BIN = join(root, 'packages/server/bin/baton.mjs');
const T = Date.parse('2026-11-23T09:00:00Z');

const baton = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8' });

/** A data directory whose `n` contacts (each with `events` past events) are all in its journal, none in a snapshot. */
async function journaled(n: number, events: number): Promise<{ dir: string; contacts: ContactState[] }> {
  const dir = freshDir();
  const store = await LowdbStore.open(dir, { compactBytes: 1 << 30, fixedCompactBytes: true });
  const commits: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    let t: Timeline = { history: [] };
    for (let e = 0; e < events; e++) t = withEvent(t, { name: 'Page Viewed', at: T + e * 1000, properties: { i, e } });
    const fresh = newContactState(`c${i}`, T);
    const state = { ...fresh, contact: { ...fresh.contact, ...t, traits: { n: i } }, version: 1 };
    commits.push(store.commit({ contactId: `c${i}`, expectedVersion: 0, state, effects: [] }));
  }
  await Promise.all(commits);
  const contacts = await store.contacts();
  await store.close();
  return { dir, contacts };
}

/** What a reopened directory holds, by contact id, as plain JSON. */
async function reopened(dir: string): Promise<Record<string, unknown>> {
  const store = await LowdbStore.open(dir);
  try {
    return Object.fromEntries((await store.contacts()).map((s) => [s.contact.id, JSON.parse(JSON.stringify(s))]));
  } finally {
    await store.close();
  }
}

const byId = (contacts: ContactState[]) =>
  Object.fromEntries(contacts.map((s) => [s.contact.id, JSON.parse(JSON.stringify(s))]));

describe('baton compact', () => {
  it('folds the journal into runtime.json, and the directory reopens holding the same contacts', async () => {
    const { dir, contacts } = await journaled(50, 40);
    expect(existsSync(join(dir, 'runtime.json'))).toBe(false);
    const r = baton('compact', '--data', dir, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, number | string>;
    expect(out).toMatchObject({ data: dir, contacts: 50 });
    expect(out.journalBytes).toBeGreaterThan(50 * 40 * 30);
    expect(out.snapshotBytes).toBeGreaterThan(0);
    // runtime.json holds everything; the journal left is the next generation, empty.
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('runtime.'))
        .sort(),
    ).toEqual(['runtime.journal.1', 'runtime.json']);
    expect(await reopened(dir)).toEqual(byId(contacts));
    // Again: nothing left to fold, the same data.
    const again = baton('compact', '--data', dir);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      /^compacted .*: 50 contacts in runtime\.json \([\d,]+ bytes\), 0 bytes of journal folded in\n$/,
    );
    expect(await reopened(dir)).toEqual(byId(contacts));
  }, 60_000);

  it('is refused while a server holds the directory, where there is no data, and for PostgreSQL', async () => {
    const dir = freshDir();
    const server = await openServer({ data: dir, tickMs: 10_000 });
    try {
      const held = baton('compact', '--data', dir);
      expect(held.status).toBe(1);
      expect(held.stderr).toBe(
        `baton compact: data directory ${dir} is in use by process ${process.pid}; stop it first, or give another --data directory\n`,
      );
    } finally {
      await server.close();
    }
    const none = join(freshDir(), 'nothing');
    const empty = baton('compact', '--data', none);
    expect([empty.status, empty.stderr]).toEqual([
      1,
      `baton compact: no Baton data in ${none}: start Baton once with baton serve\n`,
    ]);
    expect(existsSync(none)).toBe(false); // (not created by asking)
    const file = join(freshDir(), 'not-a-dir');
    writeFileSync(file, '');
    expect([baton('compact', '--data', file).stderr, baton('compact', '--data', file).status]).toEqual([
      `baton compact: ${file} is not a directory: give the --data directory of baton serve\n`,
      1,
    ]);
    const configOnly = freshDir();
    writeFileSync(join(configOnly, 'config.json'), '{}');
    expect(baton('compact', '--data', configOnly).stderr).toBe(
      `baton compact: nothing to compact in ${configOnly}: it holds no runtime.json and no journal\n`,
    );
    // Another user's directory (as root, one given to nobody; otherwise root's own /): the files it would
    // write would be this user's, which that user's server could not read.
    const uid = process.getuid!();
    const theirs = uid === 0 ? freshDir() : '/';
    if (uid === 0) chownSync(theirs, 65534, 65534);
    const other = baton('compact', '--data', theirs);
    expect([other.status, other.stderr]).toEqual([
      1,
      `baton compact: ${theirs} belongs to user ${uid === 0 ? 65534 : 0}, and this is user ${uid}: run baton compact as the user that runs baton serve\n`,
    ]);
    const pg = baton('compact', '--database', 'postgres://postgres@127.0.0.1:5432/test');
    expect(pg.status).toBe(2);
    expect(pg.stderr).toMatch(/PostgreSQL keeps no journal of its own to fold/);
  }, 60_000);

  it('loses nothing when killed (SIGKILL) in the middle of a compaction: each reopen holds every contact', async () => {
    const { dir, contacts } = await journaled(3000, 60);
    const want = byId(contacts);
    // Killed at several points after the journal switched (the snapshot being written), then reopened.
    let killedMidway = 0;
    for (const delay of [0, 15, 40, 90]) {
      const journals = () => readdirSync(dir).filter((f) => f.startsWith('runtime.journal.'));
      const before = journals();
      const child = spawn(process.execPath, [BIN, 'compact', '--data', dir], { cwd: root, stdio: 'ignore' });
      const exited = new Promise<void>((done) => child.once('close', () => done()));
      // The compaction has begun once a new journal generation exists (the switch before the snapshot).
      const start = Date.now();
      while (Date.now() - start < 20_000 && child.exitCode === null && journals().every((f) => before.includes(f)))
        await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setTimeout(r, delay));
      const temp = readdirSync(dir).some((f) => f.endsWith('.tmp'));
      child.kill('SIGKILL');
      await exited;
      if (child.signalCode === 'SIGKILL' && temp) killedMidway++;
      expect(await reopened(dir)).toEqual(want);
    }
    expect(killedMidway).toBeGreaterThan(0); // (at least one kill came while the snapshot was being written)
    // And one left to finish.
    expect(baton('compact', '--data', dir).status).toBe(0);
    expect(await reopened(dir)).toEqual(want);
  }, 120_000);
});
