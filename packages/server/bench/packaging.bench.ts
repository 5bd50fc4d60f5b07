// `pnpm bench` for the packages as people install them: @baton/engine and @baton/server packed and
// installed with npm outside the workspace (as the packaging tests do), then
//  - the engine's weight in a browser: examples/embed-browser built with Vite (minified), gzipped, with
//    the engine's own code and each dependency in a chunk of its own, and the smallest embedding
//    (createEngine and a VirtualClock) beside it;
//  - the cold start of `baton serve` from the installed package: from spawning node to the first answer
//    at `/`, on a first start (which seeds its data) and on a restart.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ROOT, installPackages } from '../test/installed.ts';

const STARTS = Number(process.env.BENCH_STARTS ?? 5);

const { dir } = installPackages();
process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // also when a step fails
/** Vite's build, from the designer's dependencies (the server does not depend on Vite). */
const vite = (await import(
  pathToFileURL(join(ROOT, 'packages/designer/node_modules/vite/dist/node/index.js')).href
)) as { build(config: object): Promise<unknown> };

/** Which chunk a module goes to: the engine's own code, each of its dependencies, or the page. */
function chunkOf(id: string): string | null {
  const m = /node_modules\/(@baton\/engine|zod|xstate|luxon)\//.exec(id);
  return m ? m[1]!.replace('@baton/', '') : null;
}

/** Builds the page at `root` with Vite, minified as for production (`split`: a chunk per library); the size of each chunk. */
async function bundle(root: string, split = false): Promise<Map<string, { min: number; gzip: number }>> {
  const codeSplitting = split ? { includeDependenciesRecursively: false, groups: [{ name: chunkOf }] } : true;
  const out = await vite.build({
    root,
    logLevel: 'silent',
    build: { write: false, rolldownOptions: { output: { codeSplitting } } },
  });
  const sizes = new Map<string, { min: number; gzip: number }>();
  for (const output of [out].flat() as {
    output: { type: string; fileName: string; code?: string; name?: string }[];
  }[]) {
    for (const file of output.output) {
      if (file.type !== 'chunk' || file.code === undefined) continue;
      const code = Buffer.from(file.code);
      sizes.set(file.name ?? file.fileName, { min: code.length, gzip: gzipSync(code, { level: 9 }).length });
    }
  }
  return sizes;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
function report(title: string, sizes: Map<string, { min: number; gzip: number }>) {
  let min = 0;
  let gzip = 0;
  console.log(`\n${title}`);
  for (const [name, s] of [...sizes].sort((a, b) => b[1].gzip - a[1].gzip)) {
    console.log(`  ${name.padEnd(12)} ${kb(s.min).padStart(10)} minified ${kb(s.gzip).padStart(10)} gzipped`);
    min += s.min;
    gzip += s.gzip;
  }
  console.log(
    `  ${'total'.padEnd(12)} ${kb(min).padStart(10)} minified ${kb(gzip).padStart(10)} gzipped (each chunk gzipped on its own)`,
  );
}

report(
  'examples/embed-browser (Vite, minified), as the page loads it',
  await bundle(join(dir, 'examples/embed-browser')),
);
report('examples/embed-browser, a chunk per library', await bundle(join(dir, 'examples/embed-browser'), true));
const smallest = join(dir, 'smallest');
mkdirSync(smallest);
writeFileSync(join(smallest, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
writeFileSync(
  join(smallest, 'main.js'),
  "import { VirtualClock, createEngine } from '@baton/engine';\nglobalThis.engine = createEngine({ journeys: [], clock: new VirtualClock(0) });\n",
);
report('the smallest embedding: createEngine and a VirtualClock on a page (Vite, minified)', await bundle(smallest));

const INSTALLED = join(dir, 'node_modules/.bin/baton');
/** The baseline: the checkout's command, which loads the TypeScript sources through tsx. */
const CHECKOUT = join(ROOT, 'packages/server/bin/baton.mjs');

/** Milliseconds from spawning `baton serve` (the command at `bin`) to the first 200 at `/`. */
async function coldStart(bin: string, data: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', data], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  const url = await new Promise<string>((done, fail) => {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const m = /Baton is running at (http:\/\/\S+)/.exec(stdout);
      if (m) done(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`baton serve exited (${code}) before it started`)));
  });
  const answer = await fetch(`${url}/`);
  await answer.arrayBuffer();
  const ms = performance.now() - started;
  if (answer.status !== 200) throw new Error(`baton serve answered ${answer.status} at /`);
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runs = {
  installed: { first: [] as number[], restart: [] as number[] },
  checkout: { first: [] as number[], restart: [] as number[] },
};
for (let i = 0; i < STARTS; i++) {
  for (const [name, bin] of [
    ['installed', INSTALLED],
    ['checkout', CHECKOUT],
  ] as const) {
    const data = join(dir, `data-${name}-${i}`);
    runs[name].first.push(await coldStart(bin, data));
    runs[name].restart.push(await coldStart(bin, data));
    rmSync(data, { recursive: true, force: true });
  }
}
const line = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
console.log(`\nbaton serve, spawn to the first answer at /, ${STARTS} runs each, alternating`);
console.log(`  installed package, first start (seeds its data): ${line(runs.installed.first)}`);
console.log(`  installed package, restart on existing data:     ${line(runs.installed.restart)}`);
console.log(`  checkout through tsx, first start:               ${line(runs.checkout.first)}`);
console.log(`  checkout through tsx, restart:                   ${line(runs.checkout.restart)}`);
