// `pnpm bench` for the designer: a 500-node journey opened in headless Chromium against baton serve.
// Measures the time from navigation to every visible node drawn, and frame times while panning, beside
// the same page with a 20-node journey as the baseline of the same run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDesigner } from '../test/browser.ts';


/** A chain of `n` steps cycling through waits, actions and branches, ending in exits: valid and wide. */
function bigJourney(id: string, n: number) {
  const nodes: Record<string, unknown>[] = [];
  for (let i = 0; i < n - 2; i++) {
    const next = `s${i + 1}`;
    const kind = i % 3;
    if (kind === 0) nodes.push({ id: `s${i}`, type: 'wait', duration: 'P1D', next });
    else if (kind === 1) nodes.push({ id: `s${i}`, type: 'action', action: 'email', params: { template: `t${i}` }, next });
    else nodes.push({ id: `s${i}`, type: 'branch', paths: [{ label: 'Pro', when: { field: 'contact.plan', op: 'eq', value: 'pro' }, next }], otherwise: 'done' });
  }
  nodes.push({ id: `s${n - 2}`, type: 'exit', outcome: 'finished' }, { id: 'done', type: 'exit', outcome: 'left' });
  return { schema: 'baton.journey/v1', id, name: `${n} steps`, trigger: { event: 'Signed Up' }, start: 's0', nodes };
}

const ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-canvas-bench-')));
const token = ui.server.config.data.adminToken;
const results: Record<string, unknown>[] = [];
for (const n of [20, 500]) {
  const id = `bench-${n}`;
  await ui.server.app.request('/api/journeys', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(bigJourney(id, n)) });
  await ui.page.goto(`${ui.base}/#token=${token}`);
  await ui.page.locator('table.journeys').waitFor();
  const started = performance.now();
  await ui.page.evaluate((h) => (location.hash = h), `#/journeys/${id}`);
  await ui.page.waitForFunction('document.querySelectorAll(".react-flow__node").length > 0', undefined, { timeout: 60_000 });
  await ui.page.locator('[aria-label=problems] h3').waitFor();
  const openMs = performance.now() - started;
  // Pan: drag the empty canvas for 60 mouse moves while the page records every frame's time.
  // (A string, not a function: tsx would add helpers the page does not have.)
  await ui.page.evaluate(`window.frames_ = []; (function tick(t) { window.frames_.push(t); if (window.frames_.length < 100000) requestAnimationFrame(tick); })(performance.now());`);
  const rendered = await ui.page.locator('.react-flow__node').count();
  const box = (await ui.page.locator('.react-flow__pane').boundingBox())!;
  const panStarted = performance.now();
  await ui.page.mouse.move(box.x + box.width - 40, box.y + box.height - 40);
  await ui.page.mouse.down();
  for (let i = 0; i < 60; i++) await ui.page.mouse.move(box.x + box.width - 40 - i * 10, box.y + box.height - 40 - i * 6);
  await ui.page.mouse.up();
  const panMs = performance.now() - panStarted;
  const frames = (await ui.page.evaluate('window.frames_')) as number[];
  // Callbacks that share a frame's timestamp are one frame.
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!).filter((g) => g > 0).sort((a, b) => a - b);
  const pct = (p: number) => +gaps[Math.min(gaps.length - 1, Math.ceil((p / 100) * gaps.length) - 1)]!.toFixed(1);
  results.push({ nodes: n, openMs: Math.round(openMs), renderedNodes: rendered, panMs: Math.round(panMs), frames: gaps.length, frameP50ms: pct(50), frameP95ms: pct(95), frameMaxMs: pct(100) });
  await ui.shot(`bench-${n}`);
}
console.log('designer canvas, headless Chromium (software rendering):');
console.table(results);
await ui.close();
