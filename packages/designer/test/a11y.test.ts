import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems, canvasAtRest, openDesigner, pricingVisit } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-a11y-')));
}, 60_000);
afterAll(() => ui?.close());

describe('every page, checked by axe-core', () => {
  it('has no serious or critical accessibility problem: list, editor, simulation, inbox, reports', async () => {
    const { page } = ui;
    const admin = ui.server.config.data.adminToken;
    await pricingVisit(ui, 'acme');
    const found: Record<string, string[]> = {};
    await page.goto(`${ui.base}/#token=${admin}`);
    await page.locator('table.journeys').waitFor();
    found.list = await axeProblems(page);
    await page.goto(`${ui.base}/#/journeys/pricing-intent`);
    await page.locator('[data-testid="node-handoff"]').waitFor();
    await canvasAtRest(page);
    found.editor = await axeProblems(page);
    await page.locator('[data-testid="node-handoff"]').click();
    await page.locator('.inspector h3', { hasText: 'handoff' }).waitFor();
    found.inspector = await axeProblems(page);
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('button', { name: /^Start/ }).click();
    await page.getByTestId('sim-position').waitFor();
    found.simulation = await axeProblems(page);
    const ana = (
      await ui.server.config.createToken({
        role: 'rep',
        rep: (await ui.server.store.load('acme'))!.handoffs[0]!.assignee!,
      })
    ).token;
    await page.goto(`${ui.base}/inbox#token=${ana}`);
    await page.locator('[data-testid=handoff-item]').first().click();
    await page.getByTestId('lifecycle').waitFor();
    found.inbox = await axeProblems(page);
    await page.goto(`${ui.base}/reports#token=${admin}`);
    await page.getByTestId('report-totals').waitFor();
    found.reports = await axeProblems(page);
    await ui.shot('40-a11y-reports');
    expect(found).toEqual({ list: [], editor: [], inspector: [], simulation: [], inbox: [], reports: [] });
    expect(ui.problems).toEqual([]);
  }, 90_000);

  it('guards the designer and the reports from reps: the way to the inbox, not an error', async () => {
    const { page } = ui;
    const rep = (await ui.server.config.createToken({ role: 'rep', rep: 'bo' })).token;
    await page.goto(`${ui.base}/inbox#token=${rep}`);
    await page.locator('.inbox').waitFor();
    await page.goto(`${ui.base}/#/journeys/pricing-intent`);
    await page.getByTestId('not-for-reps').waitFor();
    expect(await page.locator('.react-flow').count()).toBe(0);
    await page.goto(`${ui.base}/reports`);
    expect(await page.getByTestId('not-for-reps').innerText()).toContain('Reports are for marketers and admins');
    await page.getByTestId('not-for-reps').getByRole('link', { name: 'inbox' }).click();
    await page.locator('.inbox').waitFor();
    expect(ui.problems).toEqual([]);
  });
});
