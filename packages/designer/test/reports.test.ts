import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, axeProblems, openDesigner, pricingVisit } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-reports-')));
}, 60_000);
afterAll(() => ui?.close());

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('reports a marketer reads without a manual', () => {
  it('names journeys and reps, filters by journey, counts rejections and shows the trend per day', async () => {
    const { page } = ui;
    // The handoff step gets a name: the report says it, not the step's id.
    const pricing = (await adminApi(ui, 'GET', '/journeys/pricing-intent')).definition as {
      nodes: { id: string; label?: string }[];
    };
    const named = {
      ...pricing,
      nodes: pricing.nodes.map((n) => (n.id === 'handoff' ? { ...n, label: 'Hand to an AE' } : n)),
    };
    await adminApi(ui, 'PUT', '/journeys/pricing-intent/draft', named);
    await adminApi(ui, 'POST', '/journeys/pricing-intent/publish');
    await pricingVisit(ui, 'acme');
    await pricingVisit(ui, 'globex');
    const acme = (await ui.server.store.load('acme'))!.handoffs[0]!;
    const rejecter = acme.assignee!;
    const rejecterName = ui.server.config.data.team.reps.find((r) => r.id === rejecter)!.name!;
    // acme's first rep turns it down: it goes to another rep, and the report counts one rejected handoff.
    await adminApi(ui, 'POST', `/handoffs/${acme.id}/reject`, { reason: 'on holiday' });
    expect((await ui.server.store.load('acme'))!.handoffs[0]!.rejectedBy).toHaveLength(1);
    const holder = (await ui.server.store.load('acme'))!.handoffs[0]!.assignee!;
    const holderName = ui.server.config.data.team.reps.find((r) => r.id === holder)!.name!;

    await page.goto(`${ui.base}/reports#token=${ui.server.config.data.adminToken}`);
    const totals = page.getByTestId('report-totals');
    await totals.waitFor();
    expect(await totals.innerText()).toMatch(/Accept rate\s*0%\s*0 accepted · 1 rejected/);
    expect(await totals.innerText()).toMatch(/Revenue\s*0\s*sum of outcome values \(no currency set\)/);

    // Journeys and reps by their names; the id stays on hover.
    const byJourney = page.locator('.report-table', { hasText: 'By journey' });
    const journeyCell = byJourney.locator('tbody tr td strong').first();
    expect(await journeyCell.innerText()).toBe('Pricing intent to account executive');
    expect(await journeyCell.getAttribute('title')).toBe('pricing-intent');
    expect(await page.locator('.report-table', { hasText: 'By handoff step' }).innerText()).toContain(
      'Pricing intent to account executive / Hand to an AE',
    );
    expect(await page.locator('.reports table').last().innerText()).toContain('Hand to an AE');
    // A rejection counts against the rep who rejected, not the rep who holds the handoff now.
    const byRep = page.locator('.report-table', { hasText: 'By rep' });
    const repHeaders = await byRep.locator('thead th').allInnerTexts();
    const rejectedOf = async (name: string) =>
      (await byRep.locator('tbody tr', { hasText: name }).locator('td').allInnerTexts())[
        repHeaders.indexOf('Rejected')
      ];
    expect(await rejectedOf(rejecterName)).toBe('1');
    expect(await rejectedOf(holderName)).toBe('0');
    expect(await page.locator('.report-table', { hasText: 'By rep' }).innerText()).toContain(holderName);
    expect(await page.getByRole('img', { name: /^Handoffs by rep\./ }).getAttribute('aria-label')).toContain(
      holderName,
    );
    // The rejected column: one of the two pricing handoffs was rejected.
    const headers = await byJourney.locator('thead th').allInnerTexts();
    const cells = await byJourney.locator('tbody tr').first().locator('td').allInnerTexts();
    expect(cells[headers.indexOf('Rejected')]).toBe('1');
    expect(await page.locator('.reports table').last().innerText()).toContain('Pricing intent to account executive');
    await page.locator('.report-table', { hasText: 'By rep' }).scrollIntoViewIfNeeded();
    await ui.shot('50b-reports-tables-by-name');
    await page.locator('.reports h1').scrollIntoViewIfNeeded();

    // With the workspace's currency set (an addition to SPEC), revenue is money.
    ui.server.config.data.workspace.currency = 'EUR';
    await page.reload();
    await expect.poll(() => totals.innerText()).toMatch(/Revenue\s*€0\s*sum of outcome values(?! \()/);
    await ui.shot('50c-reports-currency');
    delete ui.server.config.data.workspace.currency;

    // The trend over a three-day period: two quiet days, then today's two handoffs.
    const now = Date.now();
    await page.getByLabel('from', { exact: true }).fill(dayOf(now - 2 * DAY));
    await page.getByLabel('to', { exact: true }).fill(dayOf(now));
    const trend = page.getByRole('img', { name: /^Per day\./ });
    await expect
      .poll(() => trend.getAttribute('aria-label'))
      .toBe(
        `Per day. ${dayOf(now - 2 * DAY)}: handoffs 0, accepted 0, breached 0; ` +
          `${dayOf(now - DAY)}: handoffs 0, accepted 0, breached 0; ${dayOf(now)}: handoffs 2, accepted 0, breached 0`,
      );
    expect(await totals.innerText()).toMatch(/Handoffs\s*2\s*2 open/);
    expect(await axeProblems(page)).toEqual([]);
    await ui.shot('50-reports-named-trend');

    // The journey filter: another journey has no handoffs; back to pricing intent, its two.
    const journey = page.getByLabel('journey', { exact: true });
    expect(await journey.locator('option').allInnerTexts()).toContain(
      'Renewal risk: health drops before renewal, the CSM takes over',
    );
    await journey.selectOption({ label: 'Renewal risk: health drops before renewal, the CSM takes over' });
    await expect.poll(() => totals.innerText()).toMatch(/Handoffs\s*0\s*0 open/);
    expect(await byJourney.innerText()).toContain('No handoffs in this period.');
    await ui.shot('51-reports-filtered-empty');
    await journey.selectOption({ label: 'Pricing intent to account executive' });
    await expect.poll(() => totals.innerText()).toMatch(/Handoffs\s*2\s*2 open/);
    expect(await axeProblems(page)).toEqual([]);
    expect(ui.problems).toEqual([]);
  }, 90_000);
});
