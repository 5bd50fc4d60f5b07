import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, axeProblems, canvasAtRest, openDesigner } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-migration-')));
}, 60_000);
afterAll(() => ui?.close());

const welcome = (nodes: unknown[]) => ({
  schema: 'baton.journey/v1',
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'Welcome Started' },
  start: 'wait',
  nodes: [...nodes, { id: 'done', type: 'exit', outcome: 'welcomed' }],
  ui: {
    positions: Object.fromEntries(['$trigger', 'wait', 'later', 'done'].map((id, i) => [id, { x: 0, y: i * 160 }])),
  },
});

describe('Publish with waiting contacts: the migration step (issue #18)', () => {
  it('shows every waiting node with its count and the plan, lets the user pick the target, and moves them on confirm', async () => {
    await adminApi(ui, 'POST', '/journeys', welcome([{ id: 'wait', type: 'wait', duration: 'P1D', next: 'done' }]));
    await adminApi(ui, 'POST', '/journeys/welcome/publish');
    for (const userId of ['a', 'b'])
      await ui.server.runtime.ingest({ type: 'track', userId, event: 'Welcome Started' });
    await adminApi(
      ui,
      'PUT',
      '/journeys/welcome/draft',
      welcome([
        { id: 'wait', type: 'wait', duration: 'P3D', next: 'later' },
        { id: 'later', type: 'wait', duration: 'P1D', next: 'done', label: 'A day later' },
      ]),
    );

    const { page } = ui;
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.goto(`${ui.base}/#/journeys/welcome`);
    await page.locator('[data-testid="node-later"]').waitFor();
    await canvasAtRest(page);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Move waiting contacts to version 2?' });
    await dialog.waitFor();
    const row = dialog.getByTestId('migration-row-wait');
    expect(await row.locator('td').nth(1).innerText()).toBe('2');
    await expect.poll(() => row.locator('td').nth(3).innerText()).toBe('2 move to wait');
    await ui.shot('60-migration-step');
    expect(await axeProblems(page)).toEqual([]);

    await dialog.getByLabel('move contacts waiting at wait to').selectOption('later');
    await expect.poll(() => row.locator('td').nth(3).innerText()).toBe('2 move to later');
    await dialog.getByRole('button', { name: 'Publish and move 2 contacts' }).click();
    await expect
      .poll(() => page.getByRole('status').innerText())
      .toContain('Published version 2: new contacts enter it now; 2 waiting contacts moved to it');
    await ui.shot('61-migration-published');
    for (const id of ['a', 'b']) {
      const inst = (await ui.server.store.load(id))!.instances.find((i) => i.journeyId === 'welcome')!;
      expect(inst).toMatchObject({ version: 2, node: 'later' });
    }
    expect(ui.problems).toEqual([]);
  });
});
