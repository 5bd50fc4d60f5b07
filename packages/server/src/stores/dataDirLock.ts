import { randomBytes } from 'node:crypto';
import { type BigIntStats, readFileSync, readlinkSync, statSync } from 'node:fs';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { BatonError } from '@baton/engine';

/** Another process holds the data directory. */
export class DataDirLockedError extends BatonError {
  constructor(dir: string, pid: number, elsewhere?: string) {
    super(
      'data_dir_locked',
      `data directory ${dir} is in use by process ${pid}${elsewhere ? ` ${elsewhere}` : ''}; stop it first, or give another --data directory`,
    );
  }
}

/** The lock this process held was taken by another process: nothing more may be written. */
export class DataDirLockLostError extends BatonError {
  constructor(dir: string, detail: string) {
    super(
      'data_dir_lock_lost',
      `the lock of data directory ${dir} ${detail}: another process may be writing there; nothing more is written, restart Baton`,
    );
  }
}

/** How the lock is kept (tests shorten them). */
export interface DataDirLockOptions {
  /**
   * How long a lock of another container or host stays held without being refreshed (default 10 s): its
   * process cannot be looked up from here, so it is judged by its heartbeat alone.
   */
  leaseMs?: number;
  /** How often the holder refreshes its lock and checks it is still its own (default a fifth of the lease). */
  heartbeatMs?: number;
  /** Called once if the lock stops being this process's (taken over or removed). */
  onLost?: (error: DataDirLockLostError) => void;
  /** Where waiting for another container's lock is said (default: console.warn). */
  warn?: (message: string) => void;
}

/**
 * Who holds a lock: a process id alone can be reused after a crash by an unrelated process, so the lock
 * also names the boot and the instant (in clock ticks since boot) the process started. Together they
 * name one process for good. Where `/proc` is missing (not Linux) both are null and the id is trusted.
 *
 * A process id means something only in its own process id namespace: two containers sharing a volume each
 * have their own process 1, and another host has another boot. So the lock also names its namespace
 * (`pidns`) and its host, and carries a random `token` that tells this lock from any other; a lock of
 * another namespace or boot is judged by its heartbeat (the holder touches the file every few seconds).
 * Locks of earlier Batons have neither, and keep the process id rule.
 */
interface Holder {
  pid: number;
  boot: string | null;
  started: string | null;
  pidns: string | null;
  host: string | null;
  token: string | null;
}

const readProc = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
};

const bootId = () => readProc('/proc/sys/kernel/random/boot_id');

/** This process's process id namespace (`pid:[4026531836]`), or null where `/proc` is missing. */
function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

/**
 * Whether this process can look up the lock's process by its id. A lock of an earlier Baton (no token)
 * always could, as before. Otherwise: the same boot and the same process id namespace; where there is no
 * `/proc` to name them (not Linux), the same host.
 */
function seenFromHere(holder: Holder): boolean {
  if (holder.token === null) return true;
  if (holder.pidns === null || pidNamespace() === null) return holder.host === hostname();
  return holder.boot === bootId() && holder.pidns === pidNamespace();
}

/** A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or null. */
function startTime(pid: number): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process a lock names is still running: same id, same boot, same start. */
function holds(holder: Holder): boolean {
  if (!alive(holder.pid)) return false;
  if (holder.boot === null || holder.started === null) return true; // no way to tell: trust the id
  return holder.boot === bootId() && holder.started === startTime(holder.pid);
}

/** Reads a lock file: JSON, or a bare process id as earlier Batons wrote it. Unreadable means nobody. */
function holderOf(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder> | number;
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    if (typeof h === 'number')
      return Number.isInteger(h) && h > 0
        ? { pid: h, boot: null, started: null, pidns: null, host: null, token: null }
        : null;
    if (typeof h === 'object' && h !== null && Number.isInteger(h.pid) && (h.pid as number) > 0) {
      return {
        pid: h.pid as number,
        boot: str(h.boot),
        started: str(h.started),
        pidns: str(h.pidns),
        host: str(h.host),
        token: str(h.token),
      };
    }
  } catch {
    // a lock cut off by a crash while it was written
  }
  return null;
}

/** Where a lock's process runs, for a message: another container or host, or nothing when it is this one's. */
function elsewhere(holder: Holder): string | undefined {
  if (seenFromHere(holder)) return undefined;
  return `in another container or host${holder.host ? ` (${holder.host})` : ''}`;
}

/** The lock file's text, or null when there is none; any other failure to read it is thrown. */
function lockText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The lock file's modification time (its heartbeat), or null when there is none. */
async function beatOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Whether the lock is still held. One whose process this process can look up is judged by it (id, boot,
 * start). Any other, and a lock that cannot be read as one (cut short, say), is judged by its heartbeat:
 * watched for one lease, and held if the file changed meanwhile (the file's changing decides, not two
 * clocks). Only a lock of this boot (another container on this kernel, so the same clock) not refreshed
 * for three leases is stale at once: another host's clock may be behind.
 */
async function held(
  path: string,
  holder: Holder | null,
  leaseMs: number,
  warn: (message: string) => void,
): Promise<boolean> {
  if (holder !== null && seenFromHere(holder)) return holds(holder);
  const seen = await beatOf(path);
  if (seen === null) return false;
  const age = Date.now() - seen;
  if (holder !== null && holder.boot !== null && holder.boot === bootId() && age > 3 * leaseMs) return false;
  warn(
    `baton: ${path} names ${holder ? `process ${holder.pid} ${elsewhere(holder)}` : 'no process it can read'}, refreshed ${Math.max(0, Math.round(age / 1000))} s ago: watching it for ${Math.round(leaseMs / 1000)} s`,
  );
  await sleep(leaseMs);
  const now = await beatOf(path);
  return now !== null && now !== seen;
}

/** A held lock: `release` gives it up; `confirm` throws `DataDirLockLostError` if it is no longer this process's. */
export type DataDirLock = (() => Promise<void>) & {
  /**
   * Throws if the lock is no longer this process's: read again when the last check is older than a
   * heartbeat, or always with `fresh`. A store calls it before every write, so a process that was paused
   * for longer than a lease (and whose lock another process took meanwhile) writes nothing on waking.
   */
  confirm(fresh?: boolean): void;
  /** Why the lock is no longer this process's, once it is known; null while it is. */
  readonly lost: DataDirLockLostError | null;
};

/**
 * Takes the lock file of a data directory, so two processes never write the same files, even from two
 * containers sharing a volume or two hosts sharing a network disk. A lock left by a process that died is
 * taken over, even when another process now has its id; one of another container or host once its
 * heartbeat stops. While held, a worker thread refreshes the lock every `heartbeatMs` (so a main thread
 * busy for a long while, parsing a large snapshot, still looks alive) and checks it is still this
 * process's; if it is not, `onLost` is told once. Returns the release (which removes the lock only if it
 * is still this process's), with `confirm`.
 */
export async function lockDataDir(dir: string, options: DataDirLockOptions = {}): Promise<DataDirLock> {
  const path = join(dir, 'baton.lock');
  const leaseMs = options.leaseMs ?? 10_000;
  const heartbeatMs = Math.min(options.heartbeatMs ?? Math.floor(leaseMs / 5), Math.floor(leaseMs / 2));
  if (!(heartbeatMs >= 1)) throw new RangeError(`a lock's lease must be 2 ms or more, got ${leaseMs}`);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const me: Holder = {
    pid: process.pid,
    boot: bootId(),
    started: startTime(process.pid),
    pidns: pidNamespace(),
    host: hostname(),
    token: randomBytes(12).toString('base64url'),
  };
  // Named by the token, not the process id (two containers' Batons are both process 1), and not a name
  // the store clears at start as a write a crash cut short.
  const tmp = join(dir, `.baton.lock.${me.token}.taking`);
  const file = await open(tmp, 'wx', 0o600);
  try {
    await file.writeFile(JSON.stringify(me));
    await file.sync();
  } finally {
    await file.close();
  }
  // The file that becomes the lock, as it is before it is linked into place (where it could be moved aside).
  const mine = statSync(tmp, { bigint: true });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // Linked into place whole: the lock never exists half-written, and never over another.
        await link(tmp, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const text = lockText(path);
        if (text === null) continue; // released meanwhile
        const holder = holderOf(text);
        if (await held(path, holder, leaseMs, warn)) {
          if (holder === null)
            throw new BatonError('data_dir_locked', `data directory ${dir} is in use (${path} is being written)`);
          throw new DataDirLockedError(dir, holder.pid, elsewhere(holder));
        }
        await removeIfStill(dir, path, text, me.token!);
        continue;
      }
      if (attempt > 0) {
        // After a takeover: two processes that judged the same lock stale may both get here (one removed
        // the stale lock, the other moved the first one's aside and back); whichever's lock is in place
        // after a moment holds it, and the other gives way. A lock missing for an instant (moved aside
        // by the other) is looked at again.
        await sleep(Math.min(heartbeatMs, 100));
        let now = lockText(path);
        if (now === null) {
          await sleep(20);
          now = lockText(path);
        }
        if (now !== JSON.stringify(me))
          throw new BatonError(
            'data_dir_locked',
            `data directory ${dir} was taken by another process at the same moment`,
          );
      }
      return keep(dir, path, JSON.stringify(me), mine, heartbeatMs, leaseMs, options.onLost);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  throw new BatonError('data_dir_locked', `could not take the lock of data directory ${dir}`);
}

/**
 * Removes the lock at `path` only if it is still the one judged stale (`judged`, its text): it is moved
 * aside under this process's own name first, and put back if it turns out to be another's fresh lock.
 */
async function removeIfStill(dir: string, path: string, judged: string, token: string): Promise<void> {
  const aside = join(dir, `.baton.lock.${token}.stale`);
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
    throw err;
  }
  if (lockText(aside) !== judged) await link(aside, path).catch(() => undefined); // another's: back in place
  await unlink(aside).catch(() => undefined);
}

/** What a look at the lock says: still this process's, removed, another's, or not known just now. */
type Verdict = 'ok' | 'removed' | 'replaced' | null;

/**
 * The heartbeat's worker: touches the lock, then checks it still holds this process's text (its token).
 * Out of file descriptors (EMFILE), where the text cannot be read, it compares the file's inode and birth
 * time with the file this process linked instead (stat and utimes need no descriptor; an inode number alone
 * can be handed to a new file once the old one is gone). A lock missing at one beat is looked at again at
 * the next (another taker may have moved it aside for an instant); one that cannot be checked, or touched,
 * for a while counts as lost. It publishes when it last saw the lock as this process's, and stops at the
 * first loss it reports.
 */
const HEARTBEAT = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync, statSync, utimesSync } = require('node:fs');
const { path, text, ino, birth, heartbeatMs, leaseMs, shared } = workerData;
const lastGood = new BigInt64Array(shared);
const look = ${look.toString()};
let missing = 0;
let touchedAt = performance.now();
let checkedAt = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  try {
    const t = new Date();
    utimesSync(path, t, t);
    touchedAt = now;
  } catch {}
  const verdict = look(readFileSync, statSync, path, text, ino, birth);
  if (verdict === 'removed' && ++missing < 2) return;
  if (verdict !== 'removed') missing = 0;
  if (verdict === 'ok') {
    checkedAt = now;
    Atomics.store(lastGood, 0, BigInt(Date.now()));
  }
  let lost = verdict === 'removed' || verdict === 'replaced' ? verdict : null;
  if (lost === null && (now - checkedAt > leaseMs || now - touchedAt > leaseMs / 2)) lost = 'unverifiable';
  if (lost !== null) {
    clearInterval(timer);
    parentPort.postMessage({ lost });
  }
}, heartbeatMs);
`;

/**
 * Whether the lock at `path` is still this process's (`text`); by inode and birth time when the text cannot
 * be read for want of descriptors (a different inode is a different file; a different birth time alone is
 * not known, and the lease decides). Plain JavaScript with its functions passed in: the heartbeat's worker
 * runs the same source.
 */
function look(
  read: typeof readFileSync,
  stat: typeof statSync,
  path: string,
  text: string,
  ino: bigint,
  birth: bigint,
): Verdict {
  try {
    return read(path, 'utf8') === text ? 'ok' : 'replaced';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'removed';
    if (code !== 'EMFILE' && code !== 'ENFILE') return null;
  }
  try {
    const st = stat(path, { bigint: true });
    // Another inode is another file. The same inode with another birth time is not known for sure: a
    // file made since in its place, or a host without statx, where the birth time is the change time.
    if (st.ino !== ino) return 'replaced';
    return st.birthtimeNs === birth ? 'ok' : null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'removed' : null;
  }
}

/** Waits `ms` on this thread without returning to the event loop (a check before a write is synchronous). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Keeps a lock this process has taken: the heartbeat, the check that it is still its own, the release. */
function keep(
  dir: string,
  path: string,
  text: string,
  mine: BigIntStats,
  heartbeatMs: number,
  leaseMs: number,
  onLost: ((error: DataDirLockLostError) => void) | undefined,
): DataDirLock {
  const check = () => look(readFileSync, statSync, path, text, mine.ino, mine.birthtimeNs);
  // When the heartbeat last saw the lock as this process's (wall clock ms), readable without awaiting.
  const shared = new SharedArrayBuffer(8);
  const lastGood = new BigInt64Array(shared);
  Atomics.store(lastGood, 0, BigInt(Date.now()));
  let released = false;
  let lost: DataDirLockLostError | null = null;
  // When this thread last saw the lock as this process's, by the monotonic clock and the wall clock (the
  // monotonic one stops while a host is suspended).
  let confirmed = { at: performance.now(), wall: Date.now() };
  const lose = (why: 'removed' | 'replaced' | 'unverifiable' | 'heartbeat'): DataDirLockLostError => {
    if (lost) return lost;
    let detail: string;
    if (why === 'removed') detail = 'was removed';
    else if (why === 'unverifiable') detail = `could not be checked or refreshed for ${Math.round(leaseMs / 1000)} s`;
    else if (why === 'heartbeat') detail = 'could not be kept: its heartbeat stopped';
    else {
      let holder: Holder | null = null;
      try {
        holder = holderOf(lockText(path) ?? '');
      } catch {
        // named without its holder
      }
      detail = holder ? `was taken by process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}` : 'was replaced';
    }
    lost = new DataDirLockLostError(dir, detail);
    void worker?.terminate();
    onLost?.(lost);
    return lost;
  };
  let worker: Worker | null = null;
  let restarts = 0;
  const start = (): Worker => {
    const w = new Worker(HEARTBEAT, {
      eval: true,
      workerData: { path, text, ino: mine.ino, birth: mine.birthtimeNs, heartbeatMs, leaseMs, shared },
    });
    w.unref();
    w.on('message', (m: { lost: 'removed' | 'replaced' | 'unverifiable' }) => {
      if (!released) lose(m.lost);
    });
    // A heartbeat that stops (the thread failed or ran out of memory) is started again once; if it stops
    // again, the lock cannot be kept, and the store stops writing rather than let its lock go stale.
    const stopped = () => {
      if (released || lost || worker !== w) return;
      if (restarts++ >= 1) {
        lose('heartbeat');
        return;
      }
      try {
        worker = start();
      } catch {
        lose('heartbeat');
      }
    };
    w.on('error', stopped);
    w.on('exit', stopped);
    return w;
  };
  worker = start();
  const release = async () => {
    released = true;
    await worker?.terminate();
    if (lost === null && check() === 'ok') await unlink(path).catch(() => undefined);
  };
  Object.defineProperty(release, 'lost', { get: () => lost });
  return Object.assign(release as typeof release & { readonly lost: DataDirLockLostError | null }, {
    confirm(fresh = false) {
      if (lost) throw lost;
      if (released) return;
      const elapsed = Math.max(performance.now() - confirmed.at, Date.now() - confirmed.wall);
      if (!fresh && elapsed < heartbeatMs) return;
      let verdict = check();
      if (verdict === 'removed') {
        pause(20); // moved aside for an instant by another taker, or gone: looked at again
        verdict = check();
      }
      if (verdict === 'ok') {
        confirmed = { at: performance.now(), wall: Date.now() };
        return;
      }
      // Not checkable just now (EIO): lost only if neither this thread nor the heartbeat has seen the lock
      // as this process's for a lease.
      if (verdict === null && Math.min(elapsed, Date.now() - Number(Atomics.load(lastGood, 0))) <= leaseMs) return;
      throw lose(verdict ?? 'unverifiable');
    },
  });
}
