// A child process for lowdbRecovery.test.ts: commits versions of one long-lived contact to a lowdb data
// directory, one event each (so every 32nd folds its newest events into the older part), and prints each
// version once it is acknowledged, until it is killed. It goes on from what the directory holds.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./foldWriterRun.ts');
await run(process.argv[2]);
