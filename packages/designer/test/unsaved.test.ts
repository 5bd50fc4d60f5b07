import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, canvasAtRest, openDesigner } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-unsaved-')));
}, 60_000);
afterAll(() => ui?.close());

const empty = (id: string) => ({
  schema: 'baton.journey/v1',
  id,
  name: id,
  trigger: { event: 'Signed Up' },
  nodes: [],
  ui: { positions: { $trigger: { x: 0, y: 0 } } },
});
/** The node ids of a journey's draft on the server (none while nothing was saved). */
const draftNodes = async (id: string) =>
  ((await adminApi(ui, 'GET', `/journeys/${id}`)).draftDefinition as { nodes: { id: string }[] } | null)?.nodes.map(
    (n) => n.id,
  ) ?? [];

/** Opens a journey from the list, as a user does (so that Back leads to the list), and adds a Wait by click. */
async function openAndAddWait(id: string) {
  const { page } = ui;
  await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
  await page.getByRole('link', { name: id, exact: true }).click();
  await page.locator('[data-testid="node-$trigger"]').waitFor();
  await canvasAtRest(page);
  await page.getByTestId('palette-wait').click();
  await page.locator('[data-testid="node-wait"]').waitFor();
}

describe('unsaved work is never lost', () => {
  it('saves a change on its own, without Save draft', async () => {
    await adminApi(ui, 'POST', '/journeys', empty('autosaved'));
    await openAndAddWait('autosaved');
    await expect
      .poll(() => ui.page.getByTestId('save-state').innerText(), { timeout: 10_000 })
      .toBe('all changes saved');
    expect(await draftNodes('autosaved')).toEqual(['wait']);
    await ui.shot('35-autosaved');
  });

  it('saves what is unsaved when the user goes Back to the list at once', async () => {
    await adminApi(ui, 'POST', '/journeys', empty('left-by-back'));
    await openAndAddWait('left-by-back');
    expect(await ui.page.getByTestId('save-state').innerText()).toBe('unsaved changes');
    await ui.page.goBack();
    await ui.page.locator('table.journeys').waitFor();
    await expect.poll(() => draftNodes('left-by-back'), { timeout: 10_000 }).toEqual(['wait']);
  });

  it('asks before a reload throws changes away, and brings them back after it', async () => {
    const { page } = ui;
    await adminApi(ui, 'POST', '/journeys', empty('reloaded'));
    await openAndAddWait('reloaded');
    expect(await page.getByTestId('save-state').innerText()).toBe('unsaved changes');
    const asked = new Promise<string>((done) => page.once('dialog', (d) => void d.accept().then(() => done(d.type()))));
    await page.reload();
    expect(await asked).toBe('beforeunload');
    await page.locator('[data-testid="node-wait"]').waitFor();
    await ui.shot('36-restored-after-reload');
    // The change is back on the canvas, and reaches the server.
    await expect.poll(() => draftNodes('reloaded'), { timeout: 10_000 }).toEqual(['wait']);
    expect(ui.problems).toEqual([]);
  });
});
