#!/usr/bin/env node
// The `baton` command: in the published package, node runs its build (dist/cli/bin.js) as it is; in a
// checkout, bin/baton.mjs loads this file from source.
import { main } from './main.ts';

// A reader that stops early (`baton simulate … --json | head`) closes the pipe: the command stops there,
// as a shell pipeline expects, instead of dying with an unhandled EPIPE and its stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutDrained: () =>
    process.stdout.writableNeedDrain
      ? new Promise((drained) => process.stdout.once('drain', drained))
      : Promise.resolve(),
  // `pnpm baton …` at the root runs from the repository: paths are the caller's.
  cwd: process.env.npm_lifecycle_event === 'baton' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd(),
  // The progress bar is drawn only on a terminal (#16).
  stderrIsTTY: process.stderr.isTTY === true,
});
