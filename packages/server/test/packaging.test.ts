// The packages as people get them: @baton/engine and @baton/server packed as they would be published,
// installed with npm in a directory outside the workspace, and used there as an embedder, an operator
// and a browser would use them. Packed once and installed once for the whole file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from './batonProcess.ts';
import { ROOT, installPackages, type Installed } from './installed.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, '.artifacts/packaging');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const VITE = join(ROOT, 'packages/designer/node_modules/vite/bin/vite.js');
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

let installed: Installed;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  installed = installPackages();
  dir = installed.dir;
}, 240_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command in the install directory; its exit code and output. */
function runIn(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(command, args, {
    cwd: options.cwd ?? dir,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a long-running command and waits until its stdout matches `ready`; the match and the child. */
async function startUntil(args: string[], ready: RegExp, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const lines = {
    /** Waits for a line of stdout matching `pattern`. */
    wait: (pattern: RegExp, what: string) =>
      within(
        20_000,
        what,
        new Promise<RegExpExecArray>((done, fail) => {
          const look = () => {
            const m = pattern.exec(stdout);
            if (m) done(m);
          };
          child.stdout!.on('data', look);
          child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited (${code}):\n${stderr}\n${stdout}`)));
          look();
        }),
      ),
    output: () => stdout,
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  const match = await lines.wait(ready, `${args.join(' ')} starting`);
  return { child, match, ...lines };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((done) => child.once('exit', (code) => done(code)));
}

/** The packages a built file imports: static imports and re-exports, and dynamic `import('x')`. */
function importsOf(code: string): string[] {
  const statement =
    /^\s*(?:import|export)\s[^;'"`]*?\bfrom\s*['"]([^'"./][^'"]*)['"]|^\s*import\s*['"]([^'"./][^'"]*)['"]|\bimport\(\s*['"]([^'"./][^'"]*)['"]\s*\)/gm;
  return [...code.matchAll(statement)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The package a specifier names: `@scope/name` or `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('@baton/engine installed from its tarball', () => {
  it('ships built JavaScript with declarations, no sources, and imports no Node built-in', () => {
    const pkg = join(dir, 'node_modules/@baton/engine');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      sideEffects: false,
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    });
    expect(readdirSync(pkg).sort()).toEqual(['dist', 'package.json']);
    const files = (readdirSync(join(pkg, 'dist'), { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(50);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const imported = new Set(files.flatMap((f) => importsOf(readFileSync(join(pkg, 'dist', f), 'utf8'))));
    expect([...imported].filter((m) => builtins.has(m))).toEqual([]);
    expect([...imported].sort()).toEqual(['fast-check', 'luxon', 'vitest', 'xstate', 'zod']); // fast-check and vitest: the store contract suite only
  });

  it("embeds on plain Node: the pricing example's events, then 5 business hours, and the lead is assigned and has breached its SLA", () => {
    writeFileSync(
      join(dir, 'embed.mjs'),
      `
import { readFileSync } from 'node:fs';
import { MemoryStore, VirtualClock, createEngine } from '@baton/engine';
const read = (file) => JSON.parse(readFileSync(new URL('./examples/pricing-intent/' + file, import.meta.url), 'utf8'));
const script = read('script.json');
const clock = new VirtualClock(Date.parse(script.start));
const engine = createEngine({ journeys: [read('journey.json')], team: read('team.json'), workspace: read('workspace.json'), store: new MemoryStore(), clock });
for (const c of script.contacts) await engine.ingest({ type: 'identify', userId: c.id, traits: c.traits, timestamp: script.start });
for (const step of script.steps.filter((s) => s.track)) {
  await engine.advance({ to: step.at });
  await engine.ingest({ type: 'track', ...step.track, timestamp: step.at });
}
// The last event came on Friday 2026-11-20 at 16:00 in Berlin; the team works 9:00 to 17:00 on weekdays,
// so 5 business hours later it is Monday 13:00 in Berlin (12:00 UTC).
await engine.advance({ to: '2026-11-23T12:00:00Z' });
const all = await Promise.all(script.contacts.map((c) => engine.contact(c.id)));
const outbox = await engine.readOutbox(0, 1000);
console.log(JSON.stringify({
  handoffs: all.flatMap((s) => s.handoffs).map(({ contactId, assignee, breached, escalatedTo, dueAt, status }) => ({ contactId, assignee, breached, escalatedTo, dueAt: new Date(dueAt).toISOString(), status })),
  emails: outbox.filter((e) => e.effect.type === 'message').map((e) => [e.effect.contactId, e.effect.params.template]),
}));
`,
    );
    const r = runIn(process.execPath, ['embed.mjs']);
    expect(r.stderr).toBe('');
    const { handoffs, emails } = JSON.parse(r.stdout);
    const globex = handoffs.find((h: { contactId: string }) => h.contactId === 'globex-vp');
    // Assigned Friday 16:00 with a 4-business-hour first touch: due Monday 12:00 Berlin, breached, escalated to the managers' queue.
    expect(globex).toEqual({
      contactId: 'globex-vp',
      assignee: 'mia',
      breached: true,
      escalatedTo: 'mia',
      dueAt: '2026-11-23T11:00:00.000Z',
      status: 'open',
    });
    expect(handoffs.find((h: { contactId: string }) => h.contactId === 'acme-vp')).toMatchObject({
      assignee: 'mia',
      breached: true,
    });
    expect(emails).toEqual([['tiny-dev', 'pricing-guide']]);
  });

  it("runs the README's embedding example as it is printed", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const code = /## Embed the engine\n[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    writeFileSync(join(dir, 'readme.mjs'), code!);
    const r = runIn(process.execPath, ['readme.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'Journey Entered',
      'Handoff Created',
      'Handoff Assigned',
      'Handoff SLA Breached',
      'Handoff Escalated',
      'Handoff Assigned',
      'mia true',
      'Handoff Closed',
      'Journey Exited',
      '',
    ]);
  });

  it('type-checks a TypeScript embedder and the examples against the shipped declarations under strict', () => {
    writeFileSync(
      join(dir, 'embedder.ts'),
      `
import { VirtualClock, createEngine, type Effect, type Engine, type HandoffRecord, type Store } from '@baton/engine';
import { runStoreContract } from '@baton/engine/store-contract';
import { MemoryStore } from '@baton/engine';

const store: Store = new MemoryStore();
const effects: Effect[] = [];
const engine: Engine = createEngine({ journeys: [], store, clock: new VirtualClock(0), onEffect: (e) => effects.push(e) });
export async function firstOpen(): Promise<HandoffRecord | undefined> {
  await engine.ingest({ type: 'track', userId: 'ada', event: 'Signed Up' });
  await engine.advance('PT5H');
  const [h] = await engine.openHandoffs();
  if (h) await engine.logOutcome(h.id, 'meeting_booked', { rep: 'bo', value: 100 });
  // @ts-expect-error: a handoff is acted on by its id, a string
  await engine.accept(42);
  // @ts-expect-error: a track call names its event
  await engine.ingest({ type: 'track', userId: 'ada', evnt: 'typo' });
  return h;
}
export const contract: (name: string, newStore: () => Promise<Store>) => void = runStoreContract;
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          noEmit: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          allowJs: true,
          checkJs: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['embedder.ts', 'examples/embed-node/server.js', 'examples/embed-node/mapStore.js'],
      }),
    );
    const node = runIn(process.execPath, [TSC, '-p', 'tsconfig.json']);
    expect(node.stdout + node.stderr).toBe('');
    expect(node.code).toBe(0);
    const browser = runIn(process.execPath, [TSC, '-p', 'examples/embed-browser/tsconfig.json']);
    expect(browser.stdout + browser.stderr).toBe('');
    expect(browser.code).toBe(0);
  }, 90_000);

  it('runs the exported store contract suite against a store of its own, a Map behind the Store interface', () => {
    // The suite runs under vitest with fast-check, the engine's optional peers: linked from the workspace.
    for (const [name, from] of [
      ['vitest', join(ROOT, 'node_modules/vitest')],
      ['fast-check', join(ROOT, 'packages/engine/node_modules/fast-check')],
    ] as const) {
      if (!existsSync(join(dir, 'node_modules', name))) symlinkSync(from, join(dir, 'node_modules', name), 'dir');
    }
    mkdirSync(join(dir, 'contract'), { recursive: true });
    writeFileSync(
      join(dir, 'contract/mapStore.test.mjs'),
      `
import { runStoreContract } from '@baton/engine/store-contract';
import { MapStore } from '../examples/embed-node/mapStore.js';
runStoreContract('a Map behind the Store interface (examples/embed-node)', async () => new MapStore());
`,
    );
    const r = runIn(process.execPath, [
      VITEST,
      'run',
      '--root',
      dir,
      '--dir',
      'contract',
      '--reporter',
      'verbose',
      '--no-color',
    ]);
    expect(r.stdout + r.stderr).toMatch(/store contract: a Map behind the Store interface/);
    const [, passed, total] = /Tests\s+(\d+) passed \((\d+)\)/.exec(r.stdout) ?? [];
    expect(Number(passed)).toBeGreaterThanOrEqual(10);
    expect(passed).toBe(total); // none failed, none skipped
    expect(r.code).toBe(0);
  }, 60_000);

  it('embed-node: a Node service with its own store takes events, prints the handoffs it routes and lets a rep close one', async () => {
    const service = await startUntil(
      ['examples/embed-node/server.js', 'examples/pricing-intent'],
      /listening on (http:\/\/\S+)/,
      { PORT: '0' },
    );
    const base = service.match[1]!;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => [
        r.status,
        await r.json(),
      ]);
    expect(
      await post('/identify', {
        userId: 'ada',
        traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA', ownerId: 'bo' },
      }),
    ).toEqual([200, 'applied']);
    expect(await post('/track', { userId: 'ada', event: 'Page Viewed', properties: { path: '/pricing' } })).toEqual([
      200,
      'applied',
    ]);
    const routed = await service.wait(
      /handoff (\S+) for ada assigned to bo \(owner\)/,
      'the service printing the handoff it routed',
    );
    const handoffs = (await (await fetch(`${base}/handoffs`)).json()) as {
      id: string;
      assignee: string;
      title: string;
    }[];
    expect(handoffs).toEqual([
      expect.objectContaining({
        id: routed[1],
        contact: 'ada',
        assignee: 'bo',
        title: 'Pricing intent: Acme',
        breached: false,
      }),
    ]);
    expect(await post('/track', { userId: 'ada', event: 'Page Viewed' })).toEqual([200, 'applied']);
    expect(await post('/track', { userId: 'ada' })).toEqual([400, expect.objectContaining({ error: 'input_invalid' })]);
    expect(await post(`/handoffs/${routed[1]}/outcome`, { rep: 'ana', outcome: 'meeting_booked' })).toEqual([
      400,
      expect.objectContaining({ error: expect.any(String) }),
    ]);
    expect(
      await post(`/handoffs/${routed[1]}/outcome`, { rep: 'bo', outcome: 'meeting_booked', value: 48000 }),
    ).toEqual([200, 'applied']);
    await service.wait(/handoff \S+: closed/, 'the service printing the closed handoff');
    expect(await (await fetch(`${base}/handoffs`)).json()).toEqual([]);
    service.child.kill('SIGTERM');
    expect(await within(10_000, 'embed-node stopping', exitOf(service.child))).toBe(0);
  });
});

describe('@baton/server installed from its tarball: the baton command', () => {
  it('imports only its declared dependencies and Node built-ins from its built files', () => {
    const pkg = join(dir, 'node_modules/@baton/server');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      files: string[];
    };
    expect(manifest.files).toEqual(['dist']);
    const files = (readdirSync(join(pkg, 'dist'), { recursive: true }) as string[]).filter(
      (f) => f.endsWith('.js') && !f.startsWith('designer'),
    );
    const imported = new Set(
      files.flatMap((f) => importsOf(readFileSync(join(pkg, 'dist', f), 'utf8'))).map(packageOf),
    );
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect([...imported].filter((m) => !builtins.has(m) && !(m in manifest.dependencies))).toEqual([]);
    expect(existsSync(join(pkg, 'dist/designer/index.html'))).toBe(true);
    expect(readdirSync(join(pkg, 'dist/examples')).sort()).toEqual([
      'adoption-stall',
      'nps-detractor',
      'onboarding-ab',
      'pricing-intent',
      'renewal-risk',
      'trial-nurture',
    ]);
  });

  it('needs no tsx and no checkout: validate and simulate run from the built JavaScript', () => {
    expect(existsSync(join(dir, 'node_modules/tsx'))).toBe(false);
    expect(readFileSync(join(dir, 'node_modules/.bin/baton'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    const valid = runIn('npx', [
      'baton',
      'validate',
      'examples/pricing-intent/journey.json',
      '--team',
      'examples/pricing-intent/team.json',
    ]);
    expect(valid.stdout).toMatch(/pricing-intent\/journey\.json is a valid journey/);
    expect(valid.code).toBe(0);
    const ex = (f: string) => `examples/pricing-intent/${f}`;
    const simulate = (...args: string[]) =>
      runIn('npx', [
        'baton',
        'simulate',
        ex('journey.json'),
        '--team',
        ex('team.json'),
        '--workspace',
        ex('workspace.json'),
        ...args,
        '--json',
      ]);
    const sim = simulate('--script', ex('script.json'));
    expect(sim.code).toBe(0);
    const report = JSON.parse(sim.stdout);
    expect(report.contacts['acme-vp'].journeys['pricing-intent']).toMatchObject({
      status: 'exited',
      outcome: 'converted',
    });
    expect(report.contacts['tiny-dev'].journeys['pricing-intent'].path).toEqual(['fit', 'nurture', 'wait', 'done']);
    // A population split with a worker thread, which loads the built worker, gives the one-thread report.
    const population = (workers: string) => {
      const r = simulate('--contacts', '200', '--seed', '2', '--workers', workers);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.replace(/"wallMs": \d+/, '');
    };
    expect(population('1')).toBe(population('0'));
  }, 60_000);

  it('baton serve gives the designer, the API reference and event intake, on data it seeds itself', async () => {
    const started = performance.now();
    const serve = await startUntil(
      [
        join(dir, 'node_modules/.bin/baton'),
        'serve',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data',
        join(dir, 'data'),
      ],
      /^ {2}API:/m,
    );
    const coldStartMs = performance.now() - started;
    const out = serve.output();
    const base = /Baton is running at (http:\/\/\S+)/.exec(out)![1]!;
    const writeKey = /write key:\s+(\S+)/.exec(out)![1]!;
    expect(out).not.toMatch(/not built/);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${base}${script}`)).status).toBe(200);
    const openapi = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toContain('/v1/track');
    const track = await fetch(`${base}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: 'ada', event: 'Page Viewed', properties: { path: '/pricing' } }),
    });
    expect([track.status, await track.json()]).toEqual([200, { success: true, status: 'applied' }]);
    // The seed came from the examples inside the package: its journeys are published.
    expect(
      JSON.parse(readFileSync(join(dir, 'data/config.json'), 'utf8')).journeys.map((j: { id: string }) => j.id),
    ).toContain('pricing-intent');
    serve.child.kill('SIGTERM');
    await within(10_000, 'baton serve stopping', exitOf(serve.child));
    expect(coldStartMs).toBeLessThan(15_000);
  }, 60_000);
});

describe('examples/embed-browser built with Vite against the installed engine', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('bundles without a Node built-in and runs the journey to its exit in Chromium', async () => {
    const example = join(dir, 'examples/embed-browser');
    const build = runIn(process.execPath, [VITE, 'build'], { cwd: example });
    expect(build.code).toBe(0);
    expect(build.stdout + build.stderr).not.toMatch(/externalized for browser compatibility|__vite-browser-external/);
    const assets = readdirSync(join(example, 'dist/assets'));
    for (const file of assets)
      expect(readFileSync(join(example, 'dist/assets', file), 'utf8')).not.toMatch(
        /__vite-browser-external|node:(fs|path|crypto|http)/,
      );

    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    server = createServer((req, res) => {
      const file = join(example, 'dist', req.url === '/' ? 'index.html' : (req.url ?? '').replace(/\.\.+/g, ''));
      if (!existsSync(file)) return void res.writeHead(404).end();
      res
        .writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
        .end(readFileSync(file));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const address = server.address();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-sync',
        '--disable-background-networking',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
      page.setDefaultTimeout(10_000);
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.goto(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);

      // A good fit nobody touches: assigned, breached at 14:00 Berlin, escalated, and out when it expires.
      await page.click('button[type=submit]');
      await page.waitForSelector('#result:not([hidden])');
      expect(await page.textContent('#outcome')).toBe('completed');
      expect(await page.textContent('#path')).toBe('(fit → handoff → done)');
      const story = await page.locator('#timeline li').allTextContents();
      expect(story).toContain('2026-11-23 09:00 UTCassigned to ana (emea-ae), first touch due 2026-11-23T13:00:00Z');
      expect(story).toContain('2026-11-23 13:00 UTCescalated from ana to mia');
      expect(story.at(-1)).toBe('2026-12-07 09:00 UTCleft the journey: completed');

      // The rep books a meeting two hours in: the contact leaves converted.
      await page.selectOption('#bookAfter', 'PT2H');
      await page.click('button[type=submit]');
      await page.waitForFunction("document.querySelector('#outcome')?.textContent === 'converted'");
      expect(await page.textContent('#path')).toBe('(fit → handoff → won)');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'embed-browser.png') });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
