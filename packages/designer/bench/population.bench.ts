// `pnpm bench` for the designer's population run (issue #17: 100,000 contacts in its Web Worker in ≤ 10 s):
// the pricing example's simulation panel in headless Chromium against baton serve, run at 10,000 and
// 100,000 contacts. The time is the worker's own (from the request to the report, as the panel shows
// it), and the time from the click on Run to the result on screen.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDesigner } from '../test/browser.ts';

const ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-population-bench-')));
try {
  const { page } = ui;
  await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
  await page.getByRole('link', { name: 'Pricing intent to account executive' }).click();
  await page.locator('[data-testid="node-handoff"]').waitFor();
  await page.getByRole('button', { name: 'Simulate' }).click();
  const sim = page.locator('[aria-label=simulation]');
  await sim.getByRole('button', { name: 'Population' }).click();
  console.log('Designer population run: pricing example, 30 days, seed 1, in the page’s Web Worker');
  for (const contacts of [10_000, 100_000]) {
    await sim.getByLabel('contacts').fill(String(contacts));
    const started = performance.now();
    await sim.getByRole('button', { name: 'Run' }).click();
    const result = sim.locator('[data-testid=population-result]');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=population-result] strong')?.textContent === n,
      contacts.toLocaleString('en-US'),
      { timeout: 1_200_000, polling: 250 },
    );
    const clicked = performance.now() - started;
    const text = await result.locator('p').innerText();
    const worker = Number(/in ([\d.]+) s/.exec(text)?.[1]);
    console.log(
      `${String(contacts).padStart(7)} contacts: ${worker.toFixed(1).padStart(6)} s in the worker, ${(clicked / 1000).toFixed(1).padStart(6)} s from Run to the result (${text.split(' in ')[0]})`,
    );
    await ui.shot(`bench-population-${contacts}`);
  }
} finally {
  await ui.close();
}
