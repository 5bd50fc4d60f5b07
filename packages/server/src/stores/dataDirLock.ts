import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { link, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** Whether this process can look up the lock's process: same boot and same process id namespace. */
function seenFromHere(holder: Holder): boolean {
  return holder.pidns === null || (holder.boot === bootId() && holder.pidns === pidNamespace());
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
 * Whether the lock's process still holds it. One this process can look up is judged by its process (id,
 * boot, start). One of another container or host is judged by its heartbeat: this process watches it for
 * one lease, and it is held if it changed meanwhile (the file's changing decides, not the two clocks).
 * Only a lock of this boot (another container on this kernel, so the same clock) not refreshed for three
 * leases is stale at once: another host's clock may be behind.
 */
async function held(path: string, holder: Holder, leaseMs: number, warn: (message: string) => void): Promise<boolean> {
  if (seenFromHere(holder)) return holds(holder);
  const seen = await beatOf(path);
  if (seen === null) return false;
  const age = Date.now() - seen;
  if (holder.boot !== null && holder.boot === bootId() && age > 3 * leaseMs) return false;
  warn(
    `baton: ${path} names process ${holder.pid} ${elsewhere(holder)}, refreshed ${Math.max(0, Math.round(age / 1000))} s ago: watching it for ${Math.round(leaseMs / 1000)} s`,
  );
  await sleep(leaseMs);
  const now = await beatOf(path);
  return now !== null && now !== seen;
}

/**
 * Takes the lock file of a data directory, so two processes never write the same files, even from two
 * containers sharing a volume or two hosts sharing a network disk. A lock left by a process that died is
 * taken over, even when another process now has its id; one of another container or host once its
 * heartbeat stops. While held, the lock is refreshed every `heartbeatMs` and checked to be still this
 * process's; if it is not, `onLost` is told once. Returns the release, which removes the lock only if it
 * is still this process's.
 */
export async function lockDataDir(dir: string, options: DataDirLockOptions = {}): Promise<() => Promise<void>> {
  const path = join(dir, 'baton.lock');
  const leaseMs = options.leaseMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 5));
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const me: Holder = {
    pid: process.pid,
    boot: bootId(),
    started: startTime(process.pid),
    pidns: pidNamespace(),
    host: hostname(),
    token: randomBytes(12).toString('base64url'),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    // Written whole to a file of its own, then linked into place: the lock never exists half-written.
    const tmp = join(dir, `.baton.lock.${process.pid}.tmp`);
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(me));
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(tmp, path);
      return keep(dir, path, me, heartbeatMs, options.onLost);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = holderOf(await readFile(path, 'utf8').catch(() => ''));
      if (holder && (await held(path, holder, leaseMs, warn)))
        throw new DataDirLockedError(dir, holder.pid, elsewhere(holder));
      await unlink(path).catch(() => undefined); // a stale lock from a process that is gone
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }
  throw new BatonError('data_dir_locked', `could not take the lock of data directory ${dir}`);
}

/** Keeps a lock this process has taken: the heartbeat, the check that it is still its own, the release. */
function keep(
  dir: string,
  path: string,
  me: Holder,
  heartbeatMs: number,
  onLost: ((error: DataDirLockLostError) => void) | undefined,
): () => Promise<void> {
  let lost = false;
  let beating = false;
  const mine = async () => holderOf(await readFile(path, 'utf8').catch(() => ''))?.token === me.token;
  const beat = async () => {
    if (lost || beating) return;
    beating = true;
    try {
      const holder = holderOf(await readFile(path, 'utf8').catch(() => ''));
      if (holder?.token !== me.token) {
        lost = true;
        clearInterval(timer);
        onLost?.(
          new DataDirLockLostError(
            dir,
            holder ? `was taken by process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}` : 'was removed',
          ),
        );
        return;
      }
      const now = new Date();
      await utimes(path, now, now);
    } catch {
      // A failed refresh is tried again at the next beat; a lock someone took meanwhile is seen then.
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void beat(), heartbeatMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    if (!lost && (await mine())) await unlink(path).catch(() => undefined);
  };
}
