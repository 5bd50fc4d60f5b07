import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, openDesigner } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-inbox-pages-')));
}, 60_000);
afterAll(() => ui?.close());

describe('the inbox over more open handoffs than a page holds', () => {
  it('shows the 1,000 soonest due and every unassigned one, says more are open, and counts them as "1,010+"', async () => {
    // Cy, in the fallback's pool, takes 960 leads: with Ana's and Bo's 25 each, 1,010 are assigned, and
    // of 1,020 pricing visits (Segment batches, each handing a lead to a rep) 10 wait unassigned.
    const team = (await adminApi(ui, 'GET', '/team')) as { reps: { id: string; capacity?: number }[] };
    team.reps.find((r) => r.id === 'cy')!.capacity = 960;
    await adminApi(ui, 'PUT', '/team', team);
    const key = `Basic ${Buffer.from(`${ui.server.config.data.writeKey}:`).toString('base64')}`;
    for (let from = 0; from < 1020; from += 100) {
      const batch = [];
      for (let i = from; i < Math.min(from + 100, 1020); i++) {
        const userId = `lead-${i}`;
        const traits = { company: `${userId} GmbH`, employees: 900, title: 'VP Sales', region: 'EMEA' };
        batch.push({ type: 'identify', userId, traits });
        batch.push({ type: 'track', userId, event: 'Page Viewed', properties: { path: '/pricing' } });
      }
      const res = await ui.server.app.request('/v1/batch', {
        method: 'POST',
        headers: { authorization: key, 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      });
      expect(res.status).toBe(200);
    }
    expect(await ui.server.store.handoffs({ status: 'open', assignee: null })).toHaveLength(10);
    expect(await ui.server.store.handoffs({ status: 'open' })).toHaveLength(1020);

    const { page } = ui;
    await page.goto(`${ui.base}/inbox#token=${ui.server.config.data.adminToken}`);
    // The page of the soonest due holds only assigned work (waiting work has no due): the waiting is read apart.
    await expect.poll(() => page.locator('[data-testid=handoff-item]').count(), { timeout: 15_000 }).toBe(1010);
    expect(await page.getByTestId('inbox-more').innerText()).toBe(
      'The 1,000 soonest due are shown, with the unassigned work; more are open. Work these and the next come in.',
    );
    expect(await page.getByRole('button', { name: /^All open/ }).innerText()).toBe('All open (1,010+)');
    await page.getByRole('button', { name: /^Unassigned/ }).click();
    expect(await page.getByRole('button', { name: /^Unassigned/ }).innerText()).toBe('Unassigned (10)');
    await expect.poll(() => page.locator('[data-testid=handoff-item]').count()).toBe(10);
    await ui.shot('16-inbox-more-than-a-page');
    // The team's loads are whole, not counted over the page: Cy holds 960 of the 1,010 assigned.
    await page.getByRole('button', { name: 'Team' }).click();
    const row = (name: string) => page.locator('table.loads tr', { hasText: name }).locator('td').nth(1);
    await expect.poll(() => row('Cy Chen').innerText()).toBe('960');
    expect(await row('Ana Ortiz').innerText()).toBe('25');
    expect(await row('Bo Berg').innerText()).toBe('25');
    await ui.shot('17-inbox-team-loads');
    expect(ui.problems).toEqual([]);
  }, 120_000);
});
