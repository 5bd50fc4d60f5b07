// Builds what the published @baton/server holds, into dist/: the server's JavaScript with declarations
// (against the engine's built declarations, so the engine is built first), the designer's Vite build
// (served at `/`), and the example journeys a first `baton serve` seeds its data with.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const server = fileURLToPath(new URL('..', import.meta.url));
const root = join(server, '../..');
const dist = join(server, 'dist');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const run = (cwd, ...args) => execFileSync(process.execPath, args, { cwd, stdio: 'inherit' });

rmSync(dist, { recursive: true, force: true });
run(join(root, 'packages/engine'), tsc, '-p', 'tsconfig.build.json');
run(server, tsc, '-p', 'tsconfig.build.json');

const designer = join(root, 'packages/designer');
run(
  designer,
  join(designer, 'node_modules/vite/bin/vite.js'),
  'build',
  '--logLevel',
  'warn',
  '--outDir',
  join(dist, 'designer'),
  '--emptyOutDir',
);

// A journey example is a folder with a journey.json (the embed-* folders are programs, not journeys).
const examples = join(root, 'examples');
for (const name of readdirSync(examples)) {
  if (!existsSync(join(examples, name, 'journey.json'))) continue;
  cpSync(join(examples, name), join(dist, 'examples', name), {
    recursive: true,
    filter: (src) => !src.includes('node_modules'),
  });
}
