import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BatonError } from '@baton/engine';

/** Another process holds the data directory. */
export class DataDirLockedError extends BatonError {
  constructor(dir: string, pid: number) {
    super('data_dir_locked', `data directory ${dir} is in use by process ${pid}; stop it first, or give another --data directory`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file of a data directory, so two processes never write the same lowdb file. A lock left
 * by a process that died is taken over. Returns the function that releases it.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'baton.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(String(process.pid));
      await file.sync();
      await file.close();
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new DataDirLockedError(dir, pid);
      await unlink(path).catch(() => undefined); // a stale lock from a process that is gone
    }
  }
  throw new BatonError('data_dir_locked', `could not take the lock of data directory ${dir}`);
}
