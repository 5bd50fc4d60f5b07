import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journey } from '@baton/engine';
import { canvasAtRest, dragBetween, edgesBehindNodes as edgesBehind, openDesigner } from './browser.ts';
import { toCanvas, type DraftJourney } from '../src/model/index.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-designer-')));
}, 60_000);
afterAll(() => ui?.close());

const problemsHeading = () => ui.page.locator('[aria-label=problems] h3');

const edgesBehindNodes = () => edgesBehind(ui.page);

describe('the designer in a browser, against baton serve', () => {
  it('lists the example journeys and opens one on the canvas with a node per step', async () => {
    const { page } = ui;
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.getByRole('link', { name: 'Pricing intent to account executive' }).waitFor();
    expect(await page.locator('table.journeys tbody tr').count()).toBe(8);
    await ui.shot('01-journey-list');
    await page.getByRole('link', { name: 'Pricing intent to account executive' }).click();
    await page.locator('[data-testid="node-handoff"]').waitFor();
    for (const id of ['$trigger', 'fit', 'nurture', 'wait', 'handoff', 'won', 'done'])
      expect(await page.locator(`[data-testid="node-${id}"]`).count()).toBe(1);
    // The handoff says what it does at a glance, and has a handle per outcome and for expiry.
    await expect.poll(() => page.locator('[data-testid="node-handoff"]').innerText()).toContain('lead for sales');
    for (const h of ['outcomes.meeting_booked', 'outcomes.not_interested', 'onExpire'])
      expect(await page.locator(`[data-testid="handle-handoff-${h}"]`).count()).toBe(1);
    expect(await problemsHeading().textContent()).toContain('Ready to publish');
    await canvasAtRest(page, 8);
    await ui.shot('02-editor-pricing-intent');
    // Every connection can be followed by eye: no edge runs behind a step it does not connect.
    expect(await edgesBehindNodes()).toEqual([]);
  });

  it('lays out every example so that each connection can be followed by eye', async () => {
    const { page } = ui;
    const listed = await ui.server.app.request('/api/journeys', {
      headers: { authorization: `Bearer ${ui.server.config.data.adminToken}` },
    });
    const ids = (await listed.json()) as { journeys: { id: string }[] };
    const edgesOf = async (id: string) => {
      const res = await ui.server.app.request(`/api/journeys/${id}`, {
        headers: { authorization: `Bearer ${ui.server.config.data.adminToken}` },
      });
      const detail = (await res.json()) as { definition: DraftJourney | null; draftDefinition: DraftJourney | null };
      return toCanvas((detail.draftDefinition ?? detail.definition)!).edges.length;
    };
    const tangled: string[] = [];
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.locator('table.journeys').waitFor();
    for (const { id } of ids.journeys) {
      await page.goto(`${ui.base}/#/journeys/${id}`);
      await page.locator('[data-testid="node-$trigger"]').waitFor();
      // A journey too tall to read whole opens on its entry: fit it whole to see every connection.
      await page.locator('.react-flow__controls-fitview').click();
      // React Flow measures the nodes, then draws the edges: wait until every connection is drawn and still.
      await canvasAtRest(page, await edgesOf(id));
      await ui.shot(`06-layout-${id}`);
      tangled.push(...(await edgesBehindNodes()).map((e) => `${id}: ${e}`));
    }
    expect(tangled).toEqual([]);
  });

  it('draws a journey from an empty canvas by drag and drop, configures the handoff, connects the last port, publishes and finds it intact after a reload', async () => {
    const { page } = ui;
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.getByRole('button', { name: 'New journey' }).click();
    await page.getByRole('dialog', { name: 'New journey' }).getByLabel('Name').fill('Pricing intent drawn');
    await page.getByRole('button', { name: 'Create journey' }).click();
    await page.locator('[data-testid="node-$trigger"]').waitFor();
    expect(page.url()).toContain('#/journeys/pricing-intent-drawn');

    // Drag each step from the palette onto the canvas.
    const canvas = page.locator('[data-testid=canvas]');
    const drops: [string, number, number][] = [
      ['branch', 300, 260],
      ['handoff', 200, 470],
      ['exit', 600, 470],
      ['exit', 200, 680],
    ];
    for (const [type, x, y] of drops)
      await page.locator(`[data-testid="palette-${type}"]`).dragTo(canvas, { targetPosition: { x, y } });
    for (const id of ['branch', 'handoff', 'exit', 'exit_2'])
      await page.locator(`[data-testid="node-${id}"]`).waitFor();
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await canvasAtRest(page);

    // The entry: which event starts the journey.
    await page.locator('[data-testid="node-$trigger"]').click();
    await page.getByLabel('trigger event').fill('Page Viewed');
    await page.getByLabel('trigger event').press('Enter');

    // Configure the handoff in the inspector.
    await page.locator('[data-testid="node-handoff"]').click();
    await page.getByLabel('title').fill('Pricing intent: {{contact.company}}');
    await page.getByLabel('title').press('Enter');
    await page.getByLabel('priority').selectOption('high');
    await page.getByLabel('talk track').fill('They read the pricing page twice this week. Ask about seats.');
    await page.getByLabel('first touch', { exact: true }).click(); // leaves the talk track, which commits it
    await page.getByLabel('first touch', { exact: true }).fill('PT2H');
    await page.getByLabel('first touch', { exact: true }).press('Enter');
    await expect.poll(() => page.locator('[data-testid="node-handoff"]').innerText()).toContain('SLA 2 hours');

    await page.locator('[data-testid="node-exit_2"]').click();
    await page.locator('.inspector h3', { hasText: 'exit · exit_2' }).waitFor(); // the inspector has switched to the exit
    await page.locator('.inspector input[aria-label="outcome"]').fill('converted');
    await page.locator('.inspector input[aria-label="outcome"]').press('Enter');

    // Connect the ports; the journey is invalid until the last one is connected.
    await dragBetween(page, '[data-testid="handle-$trigger-start"]', '[data-testid="in-branch"]');
    await dragBetween(page, '[data-testid="handle-branch-paths.0"]', '[data-testid="in-handoff"]');
    await dragBetween(page, '[data-testid="handle-branch-otherwise"]', '[data-testid="in-exit"]');
    await dragBetween(page, '[data-testid="handle-handoff-outcomes.meeting_booked"]', '[data-testid="in-exit_2"]');
    await expect.poll(() => problemsHeading().textContent()).toMatch(/problem/);
    const before = await page.locator('[data-testid=problem]').allInnerTexts();
    expect(before.some((p) => p.startsWith('Handoff "handoff": its outcome "not interested" leads nowhere yet'))).toBe(
      true,
    );
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await ui.shot('03-editor-drawn-one-port-left');
    await dragBetween(page, '[data-testid="handle-handoff-outcomes.not_interested"]', '[data-testid="in-exit"]');
    await expect.poll(() => problemsHeading().textContent()).toContain('Ready to publish');
    expect(await page.locator('[data-testid=problem]').count()).toBe(0);

    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await canvasAtRest(page);
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Published version 1');
    // Nothing new to publish until the journey changes again.
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await ui.shot('04-editor-published');

    await page.reload();
    await page.locator('[data-testid="node-handoff"]').waitFor();
    expect(await page.locator('.toolbar .pill').innerText()).toBe('published');
    expect(await problemsHeading().textContent()).toContain('Ready to publish');
    const published = ui.server.config.latest('pricing-intent-drawn')!.definition as {
      start: string;
      nodes: Record<string, unknown>[];
    };
    expect(published.start).toBe('branch');
    const handoff = published.nodes.find((n) => n.id === 'handoff')!;
    expect(handoff).toMatchObject({
      title: 'Pricing intent: {{contact.company}}',
      priority: 'high',
      sla: { firstTouch: 'PT2H' },
      outcomes: { meeting_booked: 'exit_2', not_interested: 'exit' },
    });
    expect((handoff.context as { talkTrack: string }).talkTrack).toContain('Ask about seats');
    expect(published.nodes.find((n) => n.id === 'branch')).toMatchObject({
      paths: [{ next: 'handoff' }],
      otherwise: 'exit',
    });
    expect(ui.problems).toEqual([]);
  }, 120_000);

  it('builds the pricing-intent example from an empty canvas: the published journey is the example', async () => {
    const { page } = ui;
    const inspector = page.locator('.inspector');
    const field = (label: string) => inspector.locator('label.field', { hasText: label });
    const commit = async (locator: ReturnType<typeof page.locator>, value: string) => {
      await locator.fill(value);
      await locator.press('Tab');
    };
    const select = async (id: string) => {
      await page.locator(`[data-testid="node-${id}"]`).click();
      await inspector.locator('h3', { hasText: id }).waitFor();
    };
    await page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
    await page.getByRole('button', { name: 'New journey' }).click();
    await page.getByRole('dialog', { name: 'New journey' }).getByLabel('Name').fill('Pricing intent rebuilt');
    await page.getByRole('button', { name: 'Create journey' }).click();
    await page.locator('[data-testid="node-$trigger"]').waitFor();

    // Entry: Page Viewed on /pricing; leave when the contact becomes a customer.
    await page.locator('[data-testid="node-$trigger"]').click();
    await commit(inspector.getByLabel('trigger event'), 'Page Viewed');
    await inspector.getByRole('button', { name: '+ only when…' }).click();
    await inspector.getByRole('button', { name: '+ exit rule' }).click();
    const exitRule = inspector.getByRole('group', { name: 'exit rule 1' });
    await commit(exitRule.getByLabel('field', { exact: true }), 'contact.lifecycle');
    await commit(exitRule.getByLabel('value', { exact: true }), 'customer');
    await commit(inspector.getByLabel('exit rule 1 outcome'), 'became_customer');

    const canvas = page.locator('[data-testid=canvas]');
    for (const [type, x, y] of [
      ['branch', 150, 200],
      ['action', 420, 200],
      ['wait', 650, 200],
      ['handoff', 150, 420],
      ['exit', 420, 420],
      ['exit', 650, 420],
    ] as const) {
      await page.locator(`[data-testid="palette-${type}"]`).dragTo(canvas, { targetPosition: { x, y } });
    }
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await canvasAtRest(page);

    // Name the steps as the example does, and configure each.
    for (const [from, to] of [
      ['branch', 'fit'],
      ['action', 'nurture'],
      ['exit', 'won'],
      ['exit_2', 'done'],
    ] as const) {
      await select(from);
      await commit(inspector.getByLabel('node id'), to);
      await page.locator(`[data-testid="node-${to}"]`).waitFor();
    }
    await select('fit');
    await commit(inspector.getByLabel('field'), 'score.fit');
    await commit(inspector.getByLabel('value'), '70');
    await select('nurture');
    await commit(inspector.getByLabel('template', { exact: true }), 'pricing-guide');
    await select('wait');
    await commit(inspector.getByLabel('duration', { exact: true }), 'P3D');
    await select('won');
    await commit(inspector.locator('input[aria-label="outcome"]'), 'converted');

    await select('handoff');
    await inspector.getByLabel('priority').selectOption('high');
    await commit(inspector.getByLabel('title'), 'Pricing intent: {{contact.company}}');
    const rules = inspector.locator('.list-editor').first().locator('.list-item');
    await rules.nth(0).getByLabel('target kind').selectOption('owner');
    await inspector.getByRole('button', { name: '+ rule' }).click();
    await rules.nth(1).getByLabel('queue id').selectOption('emea-ae');
    await rules.nth(1).getByRole('button', { name: '+ only when…' }).click();
    await commit(rules.nth(1).getByLabel('field'), 'contact.region');
    await commit(rules.nth(1).getByLabel('value'), 'EMEA');
    await field('Fallback').getByLabel('target kind').selectOption('queue');
    await field('Fallback').getByLabel('queue id').selectOption('sdr-pool');
    await field('Escalate to').getByLabel('target kind').selectOption('queue');
    await field('Escalate to').getByLabel('queue id').selectOption('sales-managers');
    await commit(inspector.getByLabel('timeline', { exact: true }), 'P30D');
    await commit(inspector.getByLabel('talk track'), 'Ask which plan they compared.');
    await commit(inspector.getByLabel('next best actions'), 'Offer a pricing call');
    await commit(inspector.getByLabel('expires', { exact: true }), 'P14D');

    for (const [from, to] of [
      ['$trigger-start', 'fit'],
      ['fit-paths.0', 'handoff'],
      ['fit-otherwise', 'nurture'],
      ['nurture-next', 'wait'],
      ['wait-next', 'done'],
      ['handoff-outcomes.meeting_booked', 'won'],
      ['handoff-outcomes.not_interested', 'done'],
      ['handoff-onExpire', 'done'],
    ] as const) {
      await dragBetween(page, `[data-testid="handle-${from}"]`, `[data-testid="in-${to}"]`);
    }
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await canvasAtRest(page);
    await expect.poll(() => problemsHeading().textContent()).toContain('Ready to publish');
    await ui.shot('05-pricing-intent-rebuilt');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Published version 1');

    const example = JSON.parse(
      readFileSync(new URL('../../../examples/pricing-intent/journey.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    const published = ui.server.config.latest('pricing-intent-rebuilt')!.definition as Record<string, unknown>;
    const comparable = (j: Record<string, unknown>) => {
      const { id: _id, name: _name, ui: _ui, ...rest } = Journey.parse(j) as Record<string, unknown>;
      return { ...rest, nodes: [...(rest.nodes as { id: string }[])].sort((a, b) => (a.id < b.id ? -1 : 1)) };
    };
    expect(comparable(published)).toEqual(comparable(example));
    expect(ui.problems).toEqual([]);
  }, 180_000);
});
