// A process that takes a data directory's lock at a given instant (argv: DIR START_AT_MS), for the test of
// two processes taking the same stale lock at once: prints "got" or "refused CODE", holds it for longer
// than the other can be late (so a late one finds it held, not free), prints whether it is still its own,
// then lets it go.
import { setTimeout as sleep } from 'node:timers/promises';
import { lockDataDir } from '../src/stores/dataDirLock.ts';

const [dir, startAt] = process.argv.slice(2);
await sleep(Math.max(0, Number(startAt) - Date.now()));
try {
  const lock = await lockDataDir(dir!, { leaseMs: 200, warn: () => undefined });
  console.log('got');
  await sleep(1_200);
  try {
    lock.confirm(true);
    console.log('kept');
  } catch {
    console.log('lost');
  }
  await lock();
} catch (err) {
  console.log(`refused ${(err as { code?: string }).code}`);
}
