import { execFile, spawnSync } from 'node:child_process';
import {
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newContactState, type Commit } from '@baton/engine/internal';
import { DataDirLockedError, DataDirLockLostError, LowdbStore, lockDataDir, openServer } from '../src/index.ts';
import { killAllBatons, startBaton, within, type BatonProcess } from './batonProcess.ts';
import { freshDir } from './harness.ts';

afterAll(() => killAllBatons());

/**
 * Runs a process as a container runs one: in a process id namespace of its own (it is process 1 there,
 * and its /proc shows only its own processes), on the same kernel, sharing the data directory. The user
 * namespace lets a user who is not root make one.
 */
const OWN_NAMESPACE = [
  'unshare',
  '--user',
  '--map-root-user',
  '--pid',
  '--fork',
  '--mount-proc',
  '--kill-child=SIGKILL',
];

/** Puts another process's lock in place as a process would: whole, by a rename (never half-written). */
function replaceLock(dir: string, text: string): void {
  writeFileSync(join(dir, '.other.lock'), text);
  renameSync(join(dir, '.other.lock'), join(dir, 'baton.lock'));
}

/** Every file of a data directory with its size and modification time: what "nothing written" compares. */
function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (f === 'baton.lock') continue;
    const st = statSync(join(dir, f));
    if (st.isFile()) out[f] = `${st.size} ${st.mtimeMs}`;
  }
  return out;
}

const boot = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

/** A lock as a Baton in another container writes it: process 1 of a namespace that is not this one's. */
const foreignLock = (token = 'theirs') =>
  JSON.stringify({ pid: 1, boot: boot(), started: '42', pidns: 'pid:[1]', host: 'other-container', token });
/** A lock as a Baton on another host writes it (a network disk): another boot, so another clock. */
const otherHostLock = () =>
  JSON.stringify({ pid: 7, boot: 'another-boot', started: '42', pidns: 'pid:[1]', host: 'other-host', token: 't' });

async function track(b: BatonProcess, userId: string, event: string): Promise<void> {
  const res = await fetch(`${b.url}/v1/track`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${b.writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ userId, event }),
  });
  expect([res.status, await res.json()]).toEqual([200, { success: true, status: 'applied' }]);
}

async function timeline(b: BatonProcess, id: string): Promise<string[]> {
  const res = await fetch(`${b.url}/api/contacts/${id}`, { headers: { authorization: `Bearer ${b.adminToken}` } });
  return ((await res.json()) as { timeline: { name: string }[] }).timeline.map((e) => e.name);
}

const commitOf = (id: string, expectedVersion: number): Commit => ({
  contactId: id,
  expectedVersion,
  state: newContactState(id, Date.parse('2026-12-04T09:00:00Z'), {}),
  effects: [],
});

describe('the data directory lock across containers and hosts', () => {
  it('runs where process id namespaces can be made, as containers make them', () => {
    const probe = spawnSync(OWN_NAMESPACE[0]!, [...OWN_NAMESPACE.slice(1), 'readlink', '/proc/self/ns/pid'], {
      encoding: 'utf8',
    });
    expect(probe.status, probe.stderr).toBe(0);
    expect(probe.stdout.trim()).not.toBe(readlinkSync('/proc/self/ns/pid'));
  });

  it("two containers on one volume: the second watches the first one's heartbeat and refuses; after a kill -9 of the first it takes over, with every acknowledged event", async () => {
    const data = freshDir();
    const first = await startBaton(data, {}, 30_000, [], OWN_NAMESPACE);
    const lock = JSON.parse(readFileSync(join(data, 'baton.lock'), 'utf8')) as { pid: number; pidns: string };
    // Process 1 of its own namespace, as in a container: an id this process cannot look up.
    expect(lock.pid).toBe(1);
    expect(lock.pidns).not.toBe(readlinkSync('/proc/self/ns/pid'));
    await track(first, 'ana', 'Signed Up');

    // Another container: its own process 1 is alive, so the process id rule alone took the lock over.
    const refused = await startBaton(data, {}, 60_000, [], OWN_NAMESPACE).then(
      async (b) => {
        await b.kill();
        return 'started';
      },
      (e: Error) => e.message,
    );
    expect(refused).toContain('watching it for 10 s');
    expect(refused).toMatch(/data directory \S+ is in use by process 1 in another container or host \(\S+\)/);
    // The first was not disturbed.
    await track(first, 'ana', 'Page Viewed');
    const beat = statSync(join(data, 'baton.lock')).mtimeMs;
    await within(
      10_000,
      'the heartbeat refreshing the lock',
      waitFor(() => statSync(join(data, 'baton.lock')).mtimeMs > beat),
    );

    // A crash: the heartbeat stops, and the next container takes over once it has watched it stop.
    await first.kill();
    const second = await startBaton(data, {}, 60_000, [], OWN_NAMESPACE);
    expect(second.stderr()).toContain('watching it for 10 s');
    expect(await timeline(second, 'ana')).toEqual(['Signed Up', 'Page Viewed']);
    await second.kill(); // (unshare passes SIGKILL on to its process 1, not SIGTERM)
  }, 120_000);

  it('a server whose lock another process took stops at once, exit 1, and writes nothing more', async () => {
    const data = freshDir();
    const b = await startBaton(data);
    await track(b, 'bo', 'Signed Up');
    // The kept event (and the delivery state) are written a moment after the answer: the files as they
    // stand once nothing has changed for half a second.
    let before = filesOf(data);
    await within(
      15_000,
      'the data directory at rest',
      (async () => {
        for (;;) {
          await new Promise((done) => setTimeout(done, 500));
          const now = filesOf(data);
          if (Object.keys(now).some((f) => f.startsWith('events/')) && JSON.stringify(now) === JSON.stringify(before))
            return;
          before = now;
        }
      })(),
    );
    // What a container that judged this one dead does: its own lock in place of this one's.
    replaceLock(data, foreignLock());
    const { code } = await within(10_000, 'baton serve stopping after losing its lock', b.exited);
    expect(code).toBe(1);
    // No graceful stop: nothing flushed, compacted or rewritten into a directory that is not its own.
    expect(filesOf(data)).toEqual(before);
    expect(b.stderr()).toContain('lost the data directory; stopping at once');
    expect(b.stderr()).toContain('was taken by process 1 on other-container');
    // The other process's lock is left as it is.
    expect(readFileSync(join(data, 'baton.lock'), 'utf8')).toBe(foreignLock());
  }, 60_000);

  it('refuses every commit once the lock is lost, names who took it, and leaves their lock in place', async () => {
    const dir = freshDir();
    const lost: DataDirLockLostError[] = [];
    const warnings: string[] = [];
    const store = await LowdbStore.open(dir, {
      lock: { leaseMs: 500, heartbeatMs: 25 },
      onLockLost: (e) => lost.push(e),
      warn: (m) => warnings.push(m),
    });
    await store.commit(commitOf('c1', 0));
    replaceLock(dir, foreignLock());
    await within(
      5_000,
      'the heartbeat seeing the lock taken',
      waitFor(() => lost.length > 0),
    );
    expect(lost[0]).toBeInstanceOf(DataDirLockLostError);
    expect(lost[0]!.message).toContain('was taken by process 1 on other-container');
    expect(warnings.join('\n')).toContain('was taken by process 1');
    const refused = await store.commit(commitOf('c2', 0)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirLockLostError);
    expect((await store.compact().catch((e: unknown) => e)) as Error).toBeInstanceOf(DataDirLockLostError);
    expect(store.failed).toBeInstanceOf(DataDirLockLostError);
    await new Promise((done) => setTimeout(done, 200)); // several more beats: told once
    expect(lost).toHaveLength(1);
    await store.close();
    expect(readFileSync(join(dir, 'baton.lock'), 'utf8')).toBe(foreignLock());
  });

  it('a process that wakes after a pause longer than the lease writes nothing: the check before a write reads the lock again', async () => {
    const dir = freshDir();
    // A heartbeat that will not come round during the test: only the check before a write can see it.
    const lock = await lockDataDir(dir, { leaseMs: 120_000, heartbeatMs: 60_000 });
    lock.confirm(true);
    replaceLock(dir, foreignLock());
    expect(() => lock.confirm()).not.toThrow(); // checked a moment ago: not read again yet
    let error: unknown;
    try {
      lock.confirm(true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataDirLockLostError);
    expect((error as Error).message).toContain('was taken by process 1 on other-container');
    expect(() => lock.confirm()).toThrow(DataDirLockLostError);
    await lock();
    expect(readFileSync(join(dir, 'baton.lock'), 'utf8')).toBe(foreignLock());
  });

  it("a lock taken, given up, and taken by a third process whose file got this one's old inode number is not taken for this process's", async () => {
    const dir = freshDir();
    const path = join(dir, 'baton.lock');
    const lock = await lockDataDir(dir, { leaseMs: 120_000, heartbeatMs: 60_000 });
    const ours = statSync(path).ino;
    // Another process took it and let it go (this process's file is gone), and a third made a new one:
    // a file system hands a freed inode number to the next file, as ext4 does at once.
    unlinkSync(path);
    writeFileSync(path, foreignLock('third'));
    const reused = statSync(path).ino === ours;
    expect(() => lock.confirm(true)).toThrow(DataDirLockLostError);
    await lock();
    // The third one's lock is left in place, whatever its inode number.
    expect(readFileSync(path, 'utf8'), `inode number reused: ${reused}`).toBe(foreignLock('third'));
  });

  it('an embedded server whose lock was taken writes none of its files, and refuses events', async () => {
    const data = freshDir();
    const lost: Error[] = [];
    const server = await openServer({ data, tickMs: 10_000, onLockLost: (e) => lost.push(e) });
    const writeKey = Buffer.from(`${server.config.data.writeKey}:`).toString('base64');
    const send = (userId: string) =>
      server.app.request('/v1/track', {
        method: 'POST',
        headers: { authorization: `Basic ${writeKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId, event: 'Signed Up' }),
      });
    expect((await send('cy')).status).toBe(200);
    replaceLock(data, foreignLock());
    await within(
      10_000,
      'the heartbeat seeing the lock taken',
      waitFor(() => lost.length > 0),
    );
    const before = filesOf(data);
    const refused = await send('di');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('data_dir_lock_lost');
    await server.close().catch(() => undefined);
    expect(filesOf(data)).toEqual(before);
    expect(readFileSync(join(data, 'baton.lock'), 'utf8')).toBe(foreignLock());
  }, 30_000);

  it('of two processes taking the same stale lock at the same instant, exactly one gets it and keeps it', async () => {
    const taker = new URL('./lockTaker.ts', import.meta.url).pathname;
    for (let round = 0; round < 10; round++) {
      const dir = freshDir();
      // Another host's lock whose heartbeat stopped: both watch it for a lease, then both take it over.
      replaceLock(dir, otherHostLock());
      // Both started first, then let go at one instant: their takeovers meet.
      const startAt = String(Date.now() + 1_000);
      const run = () =>
        new Promise<string>((done, fail) =>
          execFile(process.execPath, ['--import', 'tsx', taker, dir, startAt], (err, out) =>
            err ? fail(err) : done(out.trim().replace(/\n/g, ' ')),
          ),
        );
      const outcomes = (await Promise.all([run(), run()])).sort();
      expect(outcomes, `round ${round}`).toEqual(['got kept', 'refused data_dir_locked']);
    }
  }, 120_000);

  it('of two takers in one process at once, exactly one gets it; so too on an empty directory', async () => {
    for (let round = 0; round < 8; round++) {
      const dir = freshDir();
      if (round % 2 === 0) {
        // A container's lock whose heartbeat stopped: both watch it for a lease, then both try.
        replaceLock(dir, foreignLock());
        const old = new Date(Date.now() - 5_000);
        utimesSync(join(dir, 'baton.lock'), old, old);
      }
      const tries = await Promise.allSettled([
        lockDataDir(dir, { leaseMs: 200, warn: () => undefined }),
        lockDataDir(dir, { leaseMs: 200, warn: () => undefined }),
      ]);
      const won = tries.filter((t) => t.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      const refused = tries.find((t) => t.status === 'rejected') as PromiseRejectedResult;
      expect((refused.reason as { code?: string }).code, String(refused.reason)).toBe('data_dir_locked');
      const release = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockDataDir>>>).value;
      expect(() => release.confirm(true)).not.toThrow();
      await release();
      // Nothing of the taking is left behind.
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('a release while a beat is under way is not taken for a lost lock', async () => {
    const lost: unknown[] = [];
    for (let i = 0; i < 40; i++) {
      const dir = freshDir();
      const release = await lockDataDir(dir, { leaseMs: 4, heartbeatMs: 1, onLost: (e) => lost.push(e) });
      // Released once the heartbeat runs (its thread takes a moment to start), in the middle of its beats.
      const first = statSync(join(dir, 'baton.lock')).mtimeMs;
      await within(
        5_000,
        'a beat',
        waitFor(() => statSync(join(dir, 'baton.lock')).mtimeMs !== first),
      );
      await new Promise((done) => setTimeout(done, i % 5));
      await release();
    }
    await new Promise((done) => setTimeout(done, 50));
    expect(lost).toEqual([]);
  });

  it('takes over a lock of another container not refreshed for three leases at once, and watches a fresher one, or one of another host, for a lease first', async () => {
    const dir = freshDir();
    const path = join(dir, 'baton.lock');
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    // Refreshed long ago (a container that crashed yesterday): taken at once.
    writeFileSync(path, foreignLock());
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    let release = await lockDataDir(dir, { leaseMs: 1_000, warn });
    expect(warnings).toEqual([]);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    await release();

    // The same age on another host: its clock may be behind this one's, so it is watched first.
    writeFileSync(path, otherHostLock());
    utimesSync(path, old, old);
    let began = Date.now();
    release = await lockDataDir(dir, { leaseMs: 1_000, warn });
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/names process 7 in another container or host \(other-host\), refreshed 60 s ago/);
    warnings.length = 0;
    await release();

    // Refreshed a moment ago, then never again: watched for one lease, then taken.
    writeFileSync(path, foreignLock());
    began = Date.now();
    release = await lockDataDir(dir, { leaseMs: 1_000, warn });
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /names process 1 in another container or host \(other-container\), refreshed 0 s ago: watching it for 1 s/,
    );
    await release();

    // Refreshed while watched: held.
    writeFileSync(path, foreignLock());
    const heartbeat = setInterval(() => {
      const now = new Date();
      utimesSync(path, now, now);
    }, 100);
    try {
      const error = await lockDataDir(dir, { leaseMs: 1_000, warn }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect((error as Error).message).toBe(
        `data directory ${dir} is in use by process 1 in another container or host (other-container); stop it first, or give another --data directory`,
      );
    } finally {
      clearInterval(heartbeat);
    }
    expect(readFileSync(path, 'utf8')).toBe(foreignLock());
  });

  it('keeps the process id rule for a lock of this namespace, and for a lock an earlier Baton wrote', async () => {
    const dir = freshDir();
    const path = join(dir, 'baton.lock');
    // This very process, as this namespace sees it: held, refused at once (no watching).
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        boot: boot(),
        started: readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19],
        pidns: readlinkSync('/proc/self/ns/pid'),
        host: 'here',
        token: 'x',
      }),
    );
    const began = Date.now();
    expect(await lockDataDir(dir, { leaseMs: 5_000 }).catch((e: unknown) => e)).toBeInstanceOf(DataDirLockedError);
    expect(Date.now() - began).toBeLessThan(2_000);
    // An earlier Baton's lock (no namespace) naming a process that is gone: taken at once.
    writeFileSync(path, JSON.stringify({ pid: 999_999_999, boot: boot(), started: '1' }));
    const release = await lockDataDir(dir, { leaseMs: 5_000 });
    expect(Date.now() - began).toBeLessThan(4_000);
    await release();
    expect(() => statSync(path)).toThrow();
  });
});

/** Resolves once `ok()` holds, checking every 20 ms (bounded by the caller's `within`). */
function waitFor(ok: () => boolean): Promise<void> {
  return new Promise((done) => {
    const look = () => (ok() ? done() : setTimeout(look, 20));
    look();
  });
}
