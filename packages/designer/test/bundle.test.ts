import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, axeProblems, canvasAtRest, openDesigner } from './browser.ts';

const DIST = new URL('../dist/', import.meta.url);
/** Vite warns about a chunk over 500 kB (its `chunkSizeWarningLimit`, in units of 1,000 bytes). */
const WARNING_LIMIT = 500_000;
const asset = (file: string) => readFileSync(new URL(file, DIST), 'utf8');

/** The entry script of the built page, and every chunk it reaches, statically and through `import()`. */
function chunks() {
  const entry = /<script type="module" crossorigin src="\/(assets\/[^"]+\.js)"/.exec(asset('index.html'))?.[1];
  if (!entry) throw new Error('dist/index.html names no entry script');
  const imports = (file: string) => {
    const text = asset(file);
    const found = [...text.matchAll(/(?:from\s*|import\s*\(\s*)["'`]\.\/([^"'`]+\.js)["'`]/g)].map(
      (m) => `assets/${m[1]}`,
    );
    const eager = [...text.matchAll(/from\s*"\.\/([^"]+\.js)"/g)].map((m) => `assets/${m[1]}`);
    return { found, eager };
  };
  const all = new Map<string, number>();
  const first = new Set<string>([entry]);
  const visit = (file: string, eager: boolean) => {
    if (all.has(file) && (!eager || first.has(file))) return;
    all.set(file, Buffer.byteLength(asset(file)));
    if (eager) first.add(file);
    const i = imports(file);
    for (const f of i.found) visit(f, eager && i.eager.includes(f));
  };
  visit(entry, true);
  return { entry, all, first };
}

describe('the bundle', () => {
  it('splits the editor, reports, inbox and dialogs from the first load: no chunk over the warning limit', () => {
    const { all, first } = chunks();
    const over = [...all].filter(([, bytes]) => bytes > WARNING_LIMIT).map(([f, b]) => `${f}: ${b} bytes`);
    expect(over).toEqual([]);
    const loaded = [...first].map(asset).join('\n');
    // React Flow (the editor) and Chart.js (reports) are not in what every page loads.
    expect(loaded).not.toContain('react-flow__pane');
    expect(loaded).not.toContain('date adapter');
    expect([...all.keys()].some((f) => /\/Editor-/.test(f) && asset(f).includes('react-flow__pane'))).toBe(true);
    expect([...all.keys()].some((f) => /\/Reports-/.test(f) && asset(f).includes('date adapter'))).toBe(true);
    // What the journey list needs first, all of it: well under the limit.
    const firstBytes = [...first].reduce((sum, f) => sum + all.get(f)!, 0);
    expect(firstBytes).toBeLessThan(WARNING_LIMIT);
  });
});

describe('each page loads its own chunk', () => {
  let ui: Awaited<ReturnType<typeof openDesigner>>;
  const scripts: string[] = [];
  beforeAll(async () => {
    ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-bundle-')));
    ui.page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
  }, 60_000);
  afterAll(() => ui?.close());

  it('the journey list without the editor; the editor, its simulation, the inbox and reports when opened', async () => {
    const { page } = ui;
    const token = ui.server.config.data.adminToken;
    await page.goto(`${ui.base}/#token=${token}`);
    await page.locator('table.journeys').waitFor();
    expect(scripts.filter((s) => /\/(Editor|Reports|Inbox|SimPanel)-/.test(s))).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);

    const { journeys } = (await adminApi(ui, 'GET', '/journeys')) as unknown as { journeys: { id: string }[] };
    await page.evaluate((h) => (location.hash = h), `#/journeys/${journeys[0]!.id}`);
    await canvasAtRest(page);
    expect(scripts.some((s) => /\/Editor-/.test(s))).toBe(true);
    expect(scripts.some((s) => /\/SimPanel-/.test(s))).toBe(false);
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('complementary', { name: 'simulation' }).getByText('Test contact').first().waitFor();
    expect(scripts.some((s) => /\/SimPanel-/.test(s))).toBe(true);
    await ui.shot('bundle-editor-simulation');

    await page.goto(`${ui.base}/reports`);
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    expect(scripts.some((s) => /\/Reports-/.test(s))).toBe(true);
    await page.goto(`${ui.base}/inbox`);
    await page.getByRole('region', { name: 'handoffs' }).waitFor();
    expect(scripts.some((s) => /\/Inbox-/.test(s))).toBe(true);
    expect(ui.problems).toEqual([]);
  });
});
