// `pnpm bench` for the designer: journeys of 20 to 1,000 steps opened in headless Chromium against baton
// serve. For each: the time from navigation to the journey legible (the entry drawn and in view, zoom at
// least 0.5, the problem list ready), once as it arrives without positions (the layout included) and once
// saved with positions; frame times while panning; and the time from a click on a palette entry to the
// new step on screen (the next frame after it is in the page).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDesigner } from '../test/browser.ts';
import { chainJourney } from '../test/journeys.ts';
import { layoutJourney, type DraftJourney } from '../src/model/index.ts';

const ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-canvas-bench-')));
const token = ui.server.config.data.adminToken;
const results: Record<string, unknown>[] = [];
const post = (body: unknown) =>
  ui.server.app.request('/api/journeys', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

// Page scripts below that run once are strings: tsx would add helpers the page does not have.
// A function for waitForFunction (the page's CSP refuses a string predicate, which it evals); it holds no
// named inner functions, so tsx adds no helper to it.
const LEGIBLE = () => {
  const v = document.querySelector<HTMLElement>('.react-flow__viewport');
  const entry = document.querySelector('[data-testid="node-$trigger"]');
  const canvas = document.querySelector('[data-testid=canvas]');
  const problems = document.querySelector('[aria-label=problems] h3');
  if (!v || !entry || !canvas || !problems) return false;
  const zoom = Number(/scale\(([\d.]+)\)/.exec(v.style.transform)?.[1] ?? 0);
  const e = entry.getBoundingClientRect();
  const c = canvas.getBoundingClientRect();
  const node = entry.closest('.react-flow__node')!;
  return (
    zoom >= 0.5 &&
    getComputedStyle(node).visibility !== 'hidden' &&
    e.top >= c.top &&
    e.bottom <= c.bottom &&
    e.left >= c.left &&
    e.right <= c.right
  );
};
// Waits for the new step, from the click on the palette entry (a real click, given by the caller).
const ADD = `(window.added_ = new Promise((resolve) => {
  let t0 = 0;
  addEventListener('click', () => (t0 = performance.now()), { capture: true, once: true });
  const seen = new MutationObserver(() => {
    if (!t0 || !document.querySelector('[data-testid="node-wait"]')) return;
    seen.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - t0));
  });
  seen.observe(document.body, { childList: true, subtree: true });
  setTimeout(() => resolve(-1), 10000);
})), 0`;

async function open(id: string): Promise<number> {
  await ui.page.goto(`${ui.base}/#token=${token}`);
  await ui.page.locator('table.journeys').waitFor();
  const started = performance.now();
  await ui.page.evaluate((h) => (location.hash = h), `#/journeys/${id}`);
  await ui.page.waitForFunction(LEGIBLE, undefined, { timeout: 120_000, polling: 'raf' });
  return Math.round(performance.now() - started);
}

for (const n of [20, 100, 500, 1000]) {
  const fresh = chainJourney(`bench-${n}`, n);
  await post(fresh);
  const placed = { ...fresh, id: `placed-${n}`, ui: { positions: layoutJourney(fresh as unknown as DraftJourney) } };
  await post(placed);
  const openFresh = await open(`bench-${n}`);
  const openPlaced = await open(`placed-${n}`);
  // Pan: drag the empty canvas for 60 mouse moves while the page records every frame's time.
  await ui.page.evaluate(
    `window.frames_ = []; (function tick(t) { window.frames_.push(t); if (window.frames_.length < 100000) requestAnimationFrame(tick); })(performance.now());`,
  );
  const rendered = await ui.page.locator('.react-flow__node').count();
  const box = (await ui.page.locator('.react-flow__pane').boundingBox())!;
  // Start on the empty canvas, left of the middle (a step under the pointer would be dragged instead).
  const y = box.y + box.height - 60;
  const x = (await ui.page.evaluate(
    `[...Array(40).keys()].map((i) => ${box.x} + 80 + i * 10).find((x) => document.elementFromPoint(x, ${y})?.classList.contains('react-flow__pane'))`,
  )) as number | undefined;
  if (x === undefined) throw new Error(`no empty canvas to start the pan from at y ${y}`);
  const start = { x, y };
  const panStarted = performance.now();
  await ui.page.mouse.move(start.x, start.y);
  await ui.page.mouse.down();
  for (let i = 0; i < 60; i++) await ui.page.mouse.move(start.x + i * 4, start.y - i * 8);
  await ui.page.mouse.up();
  const panMs = performance.now() - panStarted;
  const frames = (await ui.page.evaluate('window.frames_')) as number[];
  // Callbacks that share a frame's timestamp are one frame.
  const gaps = frames
    .slice(1)
    .map((t, i) => t - frames[i]!)
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  const pct = (p: number) => +gaps[Math.min(gaps.length - 1, Math.ceil((p / 100) * gaps.length) - 1)]!.toFixed(1);
  const fps = Math.round((gaps.length / gaps.reduce((a, b) => a + b, 0)) * 1000);
  await ui.page.evaluate(ADD);
  await ui.page.locator('[data-testid="palette-wait"]').click();
  const editMs = Math.round((await ui.page.evaluate('window.added_')) as number);
  if (editMs < 0) throw new Error(`${n} steps: no new step on screen 10 s after the click on the palette`);
  results.push({
    steps: n,
    openUnplacedMs: openFresh,
    openPlacedMs: openPlaced,
    drawnNodes: rendered,
    panMs: Math.round(panMs),
    fps,
    frameP50ms: pct(50),
    frameP95ms: pct(95),
    frameMaxMs: pct(100),
    editToScreenMs: editMs,
  });
  await ui.shot(`bench-${n}`);
}
console.log('designer canvas, headless Chromium (software rendering):');
console.table(results);
await ui.close();
