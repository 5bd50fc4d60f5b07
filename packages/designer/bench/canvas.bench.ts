// `pnpm bench` for the designer: journeys of 20 to 1,000 steps opened in headless Chromium against baton
// serve. For each: the time from navigation to the journey legible (the entry drawn and in view, zoom at
// least 0.5, the problem list ready), once as it arrives without positions (the layout included) and once
// saved with positions; frame times while panning; and the time from a click on a palette entry to the
// new step on screen (the next frame after it is in the page), nine times: the median and the worst.
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
// Waits for a new step, from the click on the palette entry (a real click, given by the caller).
// The new step's id is the page's WAIT_ID (wait, wait_2, ...).
const ADD = `(window.added_ = new Promise((resolve) => {
  let t0 = 0;
  addEventListener('click', () => (t0 = performance.now()), { capture: true, once: true });
  const seen = new MutationObserver(() => {
    if (!t0 || !document.querySelector('[data-testid="node-' + window.WAIT_ID + '"]')) return;
    seen.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - t0));
  });
  seen.observe(document.body, { childList: true, subtree: true });
  setTimeout(() => resolve(-1), 10000);
})), 0`;
/** Edits timed per size: the first adds a step in the middle of the view, the next ones after it. */
const EDITS = 9;

async function open(id: string): Promise<number> {
  await ui.page.goto(`${ui.base}/#token=${token}`);
  await ui.page.locator('table.journeys').waitFor();
  const started = performance.now();
  await ui.page.evaluate((h) => (location.hash = h), `#/journeys/${id}`);
  await ui.page.waitForFunction(LEGIBLE, undefined, { timeout: 120_000, polling: 'raf' });
  return Math.round(performance.now() - started);
}

// BENCH_STEPS=1000 runs one size; BENCH_PROFILE=1 records a trace and a CPU profile of the last edit (Chromium's profiler over
// the debugging protocol) and prints the functions that took the most time (build with --minify false to read them).
const SIZES = process.env.BENCH_STEPS ? process.env.BENCH_STEPS.split(',').map(Number) : [20, 100, 500, 1000];
const cdp = process.env.BENCH_PROFILE ? await ui.page.context().newCDPSession(ui.page) : null;
const TRACED = [
  'FunctionCall',
  'EventDispatch',
  'RunMicrotasks',
  'TimerFire',
  'FireAnimationFrame',
  'UpdateLayoutTree',
  'Layout',
  'PrePaint',
  'Paint',
  'Layerize',
  'MinorGC',
  'MajorGC',
];
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}
/** Time per function of a CPU profile, the largest first: its own, and with what it called (inclusive). */
function selfTimes(
  profile: { nodes: (ProfileNode & { children?: number[] })[]; samples: number[]; timeDeltas: number[] },
  top = Number(process.env.BENCH_TOP ?? 30),
) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
  };
  const own = new Map<string, number>();
  const all = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    own.set(name(id), (own.get(name(id)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(name(at));
    for (const fn of seen) all.set(fn, (all.get(fn) ?? 0) + ms);
  });
  return [...all]
    .filter(([fn]) => !fn.startsWith('(root)') && !fn.startsWith('(idle)') && !fn.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, ms]) => ({ fn, inclusiveMs: +ms.toFixed(1), selfMs: +(own.get(fn) ?? 0).toFixed(1) }));
}

for (const n of SIZES) {
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
  const edits: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    await ui.page.evaluate(`window.WAIT_ID = '${i === 0 ? 'wait' : `wait_${i + 1}`}'`);
    await ui.page.evaluate(ADD);
    const profiling = cdp && i === EDITS - 1;
    if (profiling) {
      await ui.browser.startTracing(ui.page, { categories: ['devtools.timeline', 'blink', 'v8.execute'] });
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    await ui.page.locator('[data-testid="palette-wait"]').click();
    const editMs = Math.round((await ui.page.evaluate('window.added_')) as number);
    if (editMs < 0) await ui.shot(`bench-failed-${n}-${i}`);
    if (editMs < 0) throw new Error(`${n} steps: no new step on screen 10 s after the click on the palette`);
    edits.push(editMs);
    // What runs after the frame (validation, the backup) finishes before the next edit, and inside the profile.
    await ui.page.waitForTimeout(600);
    if (profiling) {
      const { profile } = await cdp.send('Profiler.stop');
      const trace = JSON.parse((await ui.browser.stopTracing()).toString()) as {
        traceEvents: { name: string; ph: string; dur?: number; tid: number; args?: { name?: string } }[];
      };
      const main = trace.traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')?.tid;
      const byName = new Map<string, number>();
      for (const e of trace.traceEvents)
        if (e.tid === main && e.ph === 'X' && e.dur && TRACED.includes(e.name))
          byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
      console.log(`${n} steps, the last edit's main thread (trace, ms; nested events are counted in each):`);
      console.table(Object.fromEntries([...byName].map(([k, v]) => [k, +v.toFixed(1)])));
      console.log(`${n} steps, the last edit's CPU profile:`);
      console.table(selfTimes(profile as never));
    }
  }
  edits.sort((a, b) => a - b);
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
    editMedianMs: edits[Math.floor(EDITS / 2)],
    editWorstMs: edits[EDITS - 1],
  });
  await ui.shot(`bench-${n}`);
}
console.log('designer canvas, headless Chromium (software rendering):');
console.table(results);
await ui.close();
