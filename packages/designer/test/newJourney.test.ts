import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, axeProblems, canvasAtRest, openDesigner, watchDialogFocus } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-new-journey-')));
}, 60_000);
afterAll(() => ui?.close());

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/${name}/journey.json`, import.meta.url), 'utf8')) as {
    name: string;
    nodes: { id: string }[];
  };

describe('a new journey, blank or from an example', () => {
  it('offers the examples as templates in a dialog, checks the id as it is typed, and opens the copy', async () => {
    const { page } = ui;
    // The browser's own prompt is gone: any native dialog fails the test.
    const native: string[] = [];
    page.on('dialog', (d) => {
      native.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.locator('table.journeys').waitFor();
    const focusOnShow = await watchDialogFocus(page);
    await page.getByRole('button', { name: 'New journey' }).click();
    const dialog = page.getByRole('dialog', { name: 'New journey' });
    await dialog.waitFor();
    // The name field has the focus as the dialog shows (its code loads on first use): typed at once, a
    // name goes into the field, not to the button behind.
    expect(await focusOnShow()).toBe(true);
    const pricing = example('pricing-intent');
    const template = dialog.getByRole('radio', { name: new RegExp(`^${pricing.name}`) });
    await template.waitFor();
    // Blank, then every example journey by name.
    expect(await dialog.getByRole('radio').count()).toBe(7);
    expect(await dialog.getByRole('radio', { name: /^Blank journey/ }).isChecked()).toBe(true);
    expect(await dialog.getByLabel('Name').evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await axeProblems(page)).toEqual([]);
    await ui.shot('60-new-journey-dialog');

    // Picking a template names the journey after it; the id follows the name.
    await template.check();
    expect(await dialog.getByLabel('Name').inputValue()).toBe(pricing.name);
    expect(await dialog.getByLabel('Id').inputValue()).toBe('pricing-intent-to-account-executive');
    expect(await dialog.getByText(/starts on “Page Viewed” · 6 steps · hands off to a rep/).count()).toBe(1);

    // An id in use, or with a character ids cannot have, is said in place and nothing can be created.
    const create = dialog.getByRole('button', { name: 'Create journey' });
    const problem = dialog.getByTestId('new-journey-id-problem');
    await dialog.getByLabel('Id').fill('pricing-intent');
    expect(await problem.innerText()).toBe(`“${pricing.name}” already has the id pricing-intent: choose another.`);
    expect(await dialog.getByLabel('Id').getAttribute('aria-invalid')).toBe('true');
    expect(await create.isDisabled()).toBe(true);
    expect(await axeProblems(page)).toEqual([]);
    await ui.shot('61-new-journey-id-taken');
    await dialog.getByLabel('Id').fill('pricing emea!');
    expect(await problem.innerText()).toBe('The id may only contain letters, digits and _ . : -.');
    expect(await create.isDisabled()).toBe(true);
    await dialog.getByLabel('Name').fill('');
    expect(await dialog.innerText()).toContain('Give the journey a name.');

    await dialog.getByLabel('Name').fill('Pricing intent EMEA');
    await dialog.getByLabel('Id').fill('pricing-emea');
    expect(await problem.innerText()).toBe('');
    await create.click();

    // The copy opens in the editor, every step of the example in it, under its own name and id.
    await page.locator('[data-testid="node-handoff"]').waitFor();
    await canvasAtRest(page);
    expect(page.url()).toContain('#/journeys/pricing-emea');
    await ui.shot('62-new-journey-from-template');
    const saved = (await adminApi(ui, 'GET', '/journeys/pricing-emea')) as {
      name: string;
      draftDefinition: { id: string; name: string; nodes: { id: string }[] };
    };
    expect(saved.draftDefinition).toMatchObject({ id: 'pricing-emea', name: 'Pricing intent EMEA' });
    expect(saved.draftDefinition.nodes.map((n) => n.id)).toEqual(pricing.nodes.map((n) => n.id));

    // Escape leaves the dialog, creating nothing.
    await page.goto(`${ui.base}/#/`);
    await page.locator('table.journeys').waitFor();
    const before = await page.locator('table.journeys tbody tr').count();
    await page.getByRole('button', { name: 'New journey' }).click();
    await dialog.getByLabel('Name').fill('Not wanted');
    // Tab and Shift+Tab go round the dialog, never to the page behind it.
    const inDialog = () => page.evaluate(() => !!document.activeElement?.closest('[role=dialog]'));
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      expect(await inDialog()).toBe(true);
    }
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await inDialog()).toBe(true);
    }
    // Escape (wherever the focus is in it) closes it, and the focus is back on the button that opened it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('New journey');
    expect(await page.locator('table.journeys tbody tr').count()).toBe(before);
    expect(native).toEqual([]);
    expect(ui.problems).toEqual([]);
  }, 90_000);
});
