#!/usr/bin/env node
// The `baton` command. Baton ships TypeScript sources; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.env.npm_lifecycle_event === 'baton' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
});
