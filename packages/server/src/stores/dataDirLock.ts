import { readFileSync } from 'node:fs';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BatonError } from '@baton/engine';

/** Another process holds the data directory. */
export class DataDirLockedError extends BatonError {
  constructor(dir: string, pid: number) {
    super(
      'data_dir_locked',
      `data directory ${dir} is in use by process ${pid}; stop it first, or give another --data directory`,
    );
  }
}

/**
 * Who holds a lock: a process id alone can be reused after a crash by an unrelated process, so the lock
 * also names the boot and the instant (in clock ticks since boot) the process started. Together they
 * name one process for good. Where `/proc` is missing (not Linux) both are null and the id is trusted.
 */
interface Holder {
  pid: number;
  boot: string | null;
  started: string | null;
}

const readProc = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
};

const bootId = () => readProc('/proc/sys/kernel/random/boot_id');

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
    if (typeof h === 'number') return Number.isInteger(h) && h > 0 ? { pid: h, boot: null, started: null } : null;
    if (typeof h === 'object' && h !== null && Number.isInteger(h.pid) && (h.pid as number) > 0) {
      return {
        pid: h.pid as number,
        boot: typeof h.boot === 'string' ? h.boot : null,
        started: typeof h.started === 'string' ? h.started : null,
      };
    }
  } catch {
    // a lock cut off by a crash while it was written
  }
  return null;
}

/**
 * Takes the lock file of a data directory, so two processes never write the same files. A lock left by
 * a process that died is taken over, even when another process now has its id. Returns the release.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'baton.lock');
  const me: Holder = { pid: process.pid, boot: bootId(), started: startTime(process.pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
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
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = holderOf(await readFile(path, 'utf8').catch(() => ''));
      if (holder && holds(holder)) throw new DataDirLockedError(dir, holder.pid);
      await unlink(path).catch(() => undefined); // a stale lock from a process that is gone
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }
  throw new BatonError('data_dir_locked', `could not take the lock of data directory ${dir}`);
}
