import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, axeProblems, canvasAtRest, openDesigner, watchDialogFocus } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-migration-')));
}, 60_000);
afterAll(() => ui?.close());

const welcome = (nodes: unknown[], start = 'wait') => ({
  schema: 'baton.journey/v1',
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'Welcome Started' },
  start,
  nodes: [...nodes, { id: 'done', type: 'exit', outcome: 'welcomed' }],
  ui: {
    positions: {
      $trigger: { x: 0, y: 0 },
      fit: { x: 0, y: 180 },
      wait: { x: -160, y: 360 },
      slow: { x: 160, y: 360 },
      later: { x: -160, y: 540 },
      hold: { x: 160, y: 540 },
      done: { x: 0, y: 720 },
    },
  },
});
const fit = {
  id: 'fit',
  type: 'branch',
  paths: [{ label: 'Big', when: { field: 'contact.employees', op: 'gte', value: 500 }, next: 'slow' }],
  otherwise: 'wait',
};

describe('Publish with waiting contacts: the migration step (issue #18)', () => {
  it('draws the old version and the draft side by side with the waiting counts, shows where a selected step goes and the plan with its refusals, and moves them on confirm', async () => {
    await adminApi(
      ui,
      'POST',
      '/journeys',
      welcome(
        [
          fit,
          { id: 'wait', type: 'wait', duration: 'P1D', next: 'done' },
          { id: 'slow', type: 'wait', duration: 'P2D', next: 'done' },
        ],
        'fit',
      ),
    );
    await adminApi(ui, 'POST', '/journeys/welcome/publish');
    await ui.server.runtime.ingest({ type: 'identify', userId: 'c', traits: { employees: 900 } });
    for (const userId of ['a', 'b', 'c'])
      await ui.server.runtime.ingest({ type: 'track', userId, event: 'Welcome Started' });
    await adminApi(
      ui,
      'PUT',
      '/journeys/welcome/draft',
      welcome(
        [
          { ...fit, paths: [{ ...fit.paths[0], next: 'hold' }] },
          { id: 'wait', type: 'wait', duration: 'P3D', next: 'later' },
          { id: 'later', type: 'wait', duration: 'P1D', next: 'done', label: 'A day later' },
          { id: 'hold', type: 'pause', until: { event: 'Replied' }, timeout: 'P2D', next: 'done', onTimeout: 'done' },
        ],
        'fit',
      ),
    );

    const { page } = ui;
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.goto(`${ui.base}/#/journeys/welcome`);
    await page.locator('[data-testid="canvas"] [data-testid="node-later"]').waitFor();
    await canvasAtRest(page);
    const focusOnShow = await watchDialogFocus(page);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Move waiting contacts to version 2?' });
    await dialog.waitFor();
    // The focus is in the dialog as it shows, not on Publish behind it: on the first waiting step's
    // "move to", the question the dialog asks.
    expect(await focusOnShow()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'move contacts waiting at slow to',
    );
    await ui.shot('59-migration-opened');
    const oldSide = dialog.getByTestId('migration-old');
    const newSide = dialog.getByTestId('migration-new');
    const card = (side: typeof oldSide, id: string) => side.getByTestId(`node-${id}`);
    const badge = (side: typeof oldSide, id: string) => card(side, id).getByTestId('sim-count');
    const ringed = async (side: typeof oldSide) =>
      side.locator('.node-card.sim-current').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-testid')));

    // Left, version 1 as published: each waiting step with its count; right, the draft with who arrives where.
    await badge(oldSide, 'wait').waitFor();
    expect(await badge(oldSide, 'wait').innerText()).toBe('2');
    expect(await badge(oldSide, 'slow').innerText()).toBe('1');
    expect(await card(oldSide, 'fit').getByTestId('sim-count').count()).toBe(0);
    await expect.poll(() => badge(newSide, 'wait').innerText()).toBe('2');
    expect(await card(newSide, 'later').getByTestId('sim-count').count()).toBe(0);
    const row = dialog.getByTestId('migration-row-wait');
    expect(await row.locator('td').nth(1).innerText()).toBe('2');
    await expect.poll(() => row.locator('td').nth(3).innerText()).toBe('2 move to wait');
    expect(await dialog.getByTestId('migration-row-slow').locator('td').nth(3).innerText()).toBe(
      '1 stays on their version',
    );
    const plan = dialog.getByTestId('migration-plan');
    expect(await plan.locator('li').allInnerTexts()).toEqual([
      '2 contacts move from wait (version 1) to wait',
      '1 contact at slow stays on version 1',
    ]);

    // Selecting a waiting step on the left rings where its contacts go on the right (by id).
    await card(oldSide, 'wait').click();
    expect(await ringed(oldSide)).toEqual(['node-wait']);
    expect(await ringed(newSide)).toEqual(['node-wait']);
    expect(await row.getAttribute('class')).toBe('selected');
    await ui.shot('60-migration-step');
    expect(await axeProblems(page)).toEqual([]);

    // A target of another type: the plan refuses those contacts with its reason, and nobody would move.
    await dialog.getByLabel('move contacts waiting at wait to').selectOption('hold');
    await expect
      .poll(() => plan.locator('li.bad').allInnerTexts())
      .toEqual([
        '2 contacts at wait (version 1) cannot move to hold: wait is a wait node and hold a pause node: a contact moves only between nodes of the same type',
      ]);
    expect(await row.locator('td').nth(3).innerText()).toBe('2 cannot move');
    expect(await ringed(newSide)).toEqual(['node-hold']);
    expect(await dialog.getByRole('button', { name: 'Publish and move 0 contacts' }).isDisabled()).toBe(true);
    await ui.shot('61-migration-refused');
    expect(await axeProblems(page)).toEqual([]);

    // Clicking a step of the draft sends the selected step's contacts there.
    await card(newSide, 'later').click();
    await expect.poll(() => row.locator('td').nth(3).innerText()).toBe('2 move to later');
    expect(await dialog.getByLabel('move contacts waiting at wait to').inputValue()).toBe('later');
    expect(await ringed(newSide)).toEqual(['node-later']);
    expect(await badge(newSide, 'later').innerText()).toBe('2');
    expect(await plan.locator('li.bad').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Publish and move 2 contacts' }).click();
    await expect
      .poll(() => page.getByRole('status').innerText())
      .toContain('Published version 2: new contacts enter it now; 2 waiting contacts moved to it');
    await ui.shot('63-migration-published');
    for (const id of ['a', 'b']) {
      const inst = (await ui.server.store.load(id))!.instances.find((i) => i.journeyId === 'welcome')!;
      expect(inst).toMatchObject({ version: 2, node: 'later' });
    }
    const stayed = (await ui.server.store.load('c'))!.instances.find((i) => i.journeyId === 'welcome')!;
    expect(stayed).toMatchObject({ version: 1, node: 'slow' });
    expect(ui.problems).toEqual([]);
  });

  it('switches the left canvas among the versions contacts wait in, and publishes without moving anyone', async () => {
    const nurture = (nodes: unknown[], start: string) => ({
      schema: 'baton.journey/v1',
      id: 'nurture',
      name: 'Nurture',
      trigger: { event: 'Nurture Started' },
      start,
      nodes: [...nodes, { id: 'done', type: 'exit', outcome: 'nurtured' }],
      ui: {
        positions: { $trigger: { x: 0, y: 0 }, a: { x: 0, y: 180 }, b: { x: 0, y: 360 }, done: { x: 0, y: 540 } },
      },
    });
    const enter = (userId: string) => ui.server.runtime.ingest({ type: 'track', userId, event: 'Nurture Started' });
    await adminApi(ui, 'POST', '/journeys', nurture([{ id: 'a', type: 'wait', duration: 'P1D', next: 'done' }], 'a'));
    await adminApi(ui, 'POST', '/journeys/nurture/publish');
    await enter('n1');
    await adminApi(
      ui,
      'PUT',
      '/journeys/nurture/draft',
      nurture([{ id: 'b', type: 'wait', duration: 'P2D', next: 'done' }], 'b'),
    );
    await adminApi(ui, 'POST', '/journeys/nurture/publish'); // no map: n1 stays on version 1
    await enter('n2');
    await adminApi(
      ui,
      'PUT',
      '/journeys/nurture/draft',
      nurture(
        [
          { id: 'a', type: 'wait', duration: 'P1D', next: 'b' },
          { id: 'b', type: 'wait', duration: 'P2D', next: 'done' },
        ],
        'a',
      ),
    );

    const { page } = ui;
    await page.goto(`${ui.base}/#/journeys/nurture`);
    await page.locator('[data-testid="canvas"] [data-testid="node-b"]').waitFor();
    await canvasAtRest(page);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Move waiting contacts to version 3?' });
    await dialog.waitFor();
    const oldSide = dialog.getByTestId('migration-old');
    const v2 = dialog.getByRole('button', { name: 'Version 2 (1 contact waiting)' });
    const v1 = dialog.getByRole('button', { name: 'Version 1 (1 contact waiting)' });
    // The newest version with waiting contacts is drawn first.
    expect(await v2.getAttribute('aria-pressed')).toBe('true');
    await oldSide.getByTestId('node-b').getByTestId('sim-count').waitFor();
    expect(await oldSide.getByTestId('node-a').count()).toBe(0);
    await v1.click();
    expect(await v1.getAttribute('aria-pressed')).toBe('true');
    await oldSide.getByTestId('node-a').getByTestId('sim-count').waitFor();
    expect(await oldSide.getByTestId('node-a').getByTestId('sim-count').innerText()).toBe('1');
    expect(await oldSide.getByTestId('node-b').count()).toBe(0);
    // The selection follows: version 1's waiting node, and where it goes.
    expect(await oldSide.locator('.node-card.sim-current').getAttribute('data-testid')).toBe('node-a');
    expect(
      await dialog.getByTestId('migration-new').locator('.node-card.sim-current').getAttribute('data-testid'),
    ).toBe('node-a');
    expect(await dialog.getByTestId('migration-plan').locator('li').allInnerTexts()).toEqual([
      '1 contact moves from a (version 1) to a',
      '1 contact moves from b (version 2) to b',
    ]);
    await ui.shot('64-migration-versions');
    expect(await axeProblems(page)).toEqual([]);

    await dialog.getByRole('button', { name: 'Publish without moving' }).click();
    await expect
      .poll(() => page.getByRole('status').innerText())
      .toMatch(/^Published version 3: new contacts enter it now\s*✕?$/);
    expect((await ui.server.store.load('n1'))!.instances[0]).toMatchObject({ version: 1, node: 'a' });
    expect((await ui.server.store.load('n2'))!.instances[0]).toMatchObject({ version: 2, node: 'b' });
    expect(ui.problems).toEqual([]);
  });
});
