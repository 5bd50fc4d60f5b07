import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasAtRest, openDesigner, watchDialogFocus } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-polish-')));
  await ui.page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
  await ui.page.locator('table.journeys').waitFor();
}, 60_000);
afterAll(() => ui?.close());

describe('the editor at 1440 px, and what the browser asks for on its own', () => {
  it('keeps the toolbar on one line and shows messages over the canvas without moving it', async () => {
    const { page } = ui;
    await page.goto(`${ui.base}/#/journeys/pricing-intent`);
    await canvasAtRest(page);
    // The longest toolbar: a published journey with unsaved, unpublished changes.
    await page.locator('[data-testid="node-nurture"]').click();
    await page.getByLabel('label', { exact: true }).fill('Send the pricing guide');
    await page.getByLabel('label', { exact: true }).press('Tab');
    await page.getByTestId('unpublished').waitFor();
    const oneLine = () =>
      page.locator('.toolbar').evaluate((bar) => {
        const tops = [...bar.querySelectorAll<HTMLElement>('.title > *, .actions > *')].map(
          (e) => e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2,
        );
        return { spread: Math.max(...tops) - Math.min(...tops), height: bar.getBoundingClientRect().height };
      });
    // Nothing but the journey's name gives way: every pill and the save state are shown whole.
    const clipped = () =>
      page.locator('.toolbar .title').evaluate((title) => {
        const box = title.getBoundingClientRect();
        return [...title.querySelectorAll<HTMLElement>(':scope > :not(strong)')]
          .filter((e) => e.getBoundingClientRect().right > box.right + 0.5 || e.scrollWidth > e.clientWidth + 1)
          .map((e) => e.textContent);
      });
    expect(await clipped()).toEqual([]);
    const line = await oneLine();
    expect(line.spread).toBeLessThan(4);
    expect(line.height).toBeLessThan(52);
    const canvasTop = async () => (await page.getByTestId('canvas').boundingBox())!.y;
    const before = await canvasTop();
    await page.getByRole('button', { name: 'Save draft' }).click();
    const toast = page.getByRole('status').filter({ hasText: 'Draft saved' });
    await toast.waitFor();
    expect(await canvasTop()).toBe(before);
    // The toast sits over the canvas's top, below the toolbar.
    const t = (await toast.boundingBox())!;
    const bar = (await page.locator('.toolbar').boundingBox())!;
    expect(t.y).toBeGreaterThanOrEqual(bar.y + bar.height);
    await ui.shot('40-toolbar-one-line-toast');
    expect((await oneLine()).spread).toBeLessThan(4);
    expect(ui.problems).toEqual([]);
  });

  it('shows what changed since the published version before Publish, and publishes only on confirm', async () => {
    const { page } = ui;
    // The draft saved above renamed a step; rename the journey too.
    await page.goto(`${ui.base}/#/journeys/pricing-intent`);
    await canvasAtRest(page);
    // After Save draft, the version picker and the pills say the draft is not published.
    expect(await page.getByLabel('versions').locator('option:checked').innerText()).toBe('Draft');
    expect(await page.getByTestId('unpublished').innerText()).toBe('unpublished changes');
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 300 } });
    await page.getByLabel('journey name').fill('Pricing intent, reviewed');
    await page.getByLabel('journey name').press('Tab');
    const focusOnShow = await watchDialogFocus(page);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish version 2?' });
    await dialog.waitFor();
    // Its confirm button has the focus as it shows: a key pressed at once is the dialog's, not Publish's.
    expect(await focusOnShow()).toBe(true);
    expect(await dialog.getByTestId('publish-changed').innerText()).toContain('"Send the pricing guide"');
    expect(await dialog.getByTestId('publish-settings').innerText()).toContain('the name');
    expect(await dialog.getByTestId('publish-added').count()).toBe(0);
    await ui.shot('41-publish-changes');
    // The focus goes round the dialog's buttons; Escape closes it and gives the focus back to Publish.
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[role=dialog]'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Publish');
    // Keep editing: nothing is published.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.getByRole('button', { name: 'Keep editing' }).click();
    expect(await dialog.count()).toBe(0);
    expect(ui.server.config.latest('pricing-intent')!.version).toBe(1);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.getByRole('button', { name: 'Publish version 2' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Published version 2');
    expect(ui.server.config.latest('pricing-intent')!.version).toBe(2);
    expect(ui.problems).toEqual([]);
  });

  it('serves /favicon.ico as an icon, not a 404', async () => {
    const res = await ui.page.request.get(`${ui.base}/favicon.ico`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/x-icon');
    // The browser decodes it: a 16 × 16 image.
    await ui.page.goto(`${ui.base}/#/`);
    const size = await ui.page.evaluate(
      () =>
        new Promise<string>((done) => {
          const img = new Image();
          img.onload = () => done(`${img.naturalWidth}x${img.naturalHeight}`);
          img.onerror = () => done('not an image');
          img.src = '/favicon.ico';
        }),
    );
    expect(size).toBe('16x16');
    expect(ui.problems).toEqual([]);
  });
});
