import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems, openDesigner } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-backtest-')));
}, 60_000);
afterAll(() => ui?.close());

/** A Segment call through the intake, as a source sends it (so the server keeps it for backtests). */
const send = (type: 'identify' | 'track', body: unknown) =>
  fetch(`${ui.base}/v1/${type}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${ui.server.config.data.writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });

const count = async (id: string) =>
  Number((await ui.page.locator(`[data-testid="node-${id}"] [data-testid=sim-count]`).innerText()).replace(/\D/g, ''));

describe('the Backtest tab (issue #18)', () => {
  it('replays the kept events through the draft in the worker and shows it beside what live did, differences called out', async () => {
    for (const userId of ['k1', 'k2', 'k3']) {
      expect(
        (
          await send('identify', {
            userId,
            traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
          })
        ).status,
      ).toBe(200);
      expect((await send('track', { userId, event: 'Page Viewed', properties: { path: '/pricing' } })).status).toBe(
        200,
      );
    }
    const { page } = ui;
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.getByRole('link', { name: 'Pricing intent to account executive' }).click();
    await page.locator('[data-testid="node-handoff"]').waitFor();
    await page.getByRole('button', { name: 'Simulate' }).click();
    const sim = page.locator('[aria-label=simulation]');
    await sim.getByRole('button', { name: 'Backtest' }).click();
    await sim.getByRole('button', { name: 'Run backtest' }).click();
    await sim.getByTestId('backtest-result').waitFor({ timeout: 60_000 });
    const line = async (name: string) =>
      (await sim.getByTestId(`backtest-${name}`).locator('td').allInnerTexts()).slice(1);
    expect(await line('handoffs')).toEqual(['3', '3', 'same']);
    expect(await line('accepted')).toEqual(['0', '0', 'same']);
    // Nobody accepted yet, so the fitted reps accept nothing; but the SLAs are hours away, and the draft
    // plays out nothing after now, as live has not: no breach on either side (it was +3 when the draft ran
    // 30 days past the last event, a difference the same journey never made).
    expect(await line('SLA breaches')).toEqual(['0', '0', 'same']);
    expect(await count('handoff')).toBe(3);
    await ui.shot('62-backtest');
    expect(await axeProblems(page)).toEqual([]);
    // Nothing was sent: the server's contacts are the three, each with the one handoff live made.
    expect((await ui.server.store.contacts()).flatMap((s) => s.handoffs)).toHaveLength(3);
    expect(ui.problems).toEqual([]);
  });
});
