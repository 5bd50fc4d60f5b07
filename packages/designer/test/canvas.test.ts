import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, canvasAtRest, edgesBehindNodes, openDesigner } from './browser.ts';
import { chainJourney } from './journeys.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-canvas-')));
  await ui.page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
  await ui.page.locator('table.journeys').waitFor();
}, 60_000);
afterAll(() => ui?.close());

async function openJourney(id: string) {
  await ui.page.goto(`${ui.base}/#/journeys/${id}`);
  await ui.page.locator('[data-testid="node-$trigger"]').waitFor();
  await canvasAtRest(ui.page);
}

/**
 * Steps a user cannot reach: outside the canvas, under the minimap, the zoom controls or the search box,
 * or whose centre a click would not hit.
 */
function unreachableSteps(): Promise<string[]> {
  return ui.page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=canvas]')!.getBoundingClientRect();
    // The overlays shown (a long journey opens without its minimap).
    const overlays = ['.react-flow__minimap', '.react-flow__controls', '.step-search'].flatMap((s) => {
      const element = document.querySelector(s);
      return element ? [{ s, r: element.getBoundingClientRect() }] : [];
    });
    const hits = (a: DOMRect, b: DOMRect) =>
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const out: string[] = [];
    for (const n of document.querySelectorAll<HTMLElement>('.react-flow__node')) {
      const r = n.getBoundingClientRect();
      const id = n.dataset.id!;
      if (r.left < canvas.left || r.right > canvas.right || r.top < canvas.top || r.bottom > canvas.bottom)
        out.push(`${id} outside the canvas`);
      for (const o of overlays) if (hits(r, o.r)) out.push(`${id} under ${o.s}`);
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!top || !n.contains(top)) out.push(`${id} not clickable`);
    }
    return out;
  });
}

/**
 * Drawn edges that do not start on their source's output handle or end on their target's input, as
 * "edge: start|end off by N px" (an end may sit off the handle's centre, on the target's top edge).
 */
function edgesOffTheirHandles(): Promise<string[]> {
  return ui.page.evaluate(() => {
    const off: string[] = [];
    for (const edge of document.querySelectorAll<SVGGElement>('.react-flow__edge')) {
      const [, source, target] = /^Edge from (.+) to (.+)$/.exec(edge.getAttribute('aria-label') ?? '') ?? [];
      const path = edge.querySelector<SVGPathElement>('path.react-flow__edge-path')!;
      const m = path.getScreenCTM()!;
      const a = new DOMPoint(path.getPointAtLength(0).x, path.getPointAtLength(0).y).matrixTransform(m);
      const end = path.getPointAtLength(path.getTotalLength());
      const b = new DOMPoint(end.x, end.y).matrixTransform(m);
      const from = document.querySelector(`.react-flow__node[data-id="${source}"]`);
      const to = document.querySelector(`.react-flow__node[data-id="${target}"]`);
      if (!from || !to) continue; // its other end is off screen, not drawn
      const outs = [...from.querySelectorAll('.handle-out')].map((h) => h.getBoundingClientRect());
      const near = outs.map((h) => Math.hypot(h.x + h.width / 2 - a.x, h.y + h.height - a.y));
      if (Math.min(...near) > 3) off.push(`${edge.dataset.id}: start off by ${Math.round(Math.min(...near))} px`);
      const card = to.getBoundingClientRect();
      if (Math.abs(card.top - b.y) > 4 || b.x < card.left || b.x > card.right)
        off.push(`${edge.dataset.id}: end off by ${Math.round(Math.abs(card.top - b.y))} px`);
    }
    return off;
  });
}

/** The canvas's zoom, from React Flow's viewport transform. */
const zoom = () =>
  ui.page
    .locator('.react-flow__viewport')
    .evaluate((v) => Number(/scale\(([\d.]+)\)/.exec((v as HTMLElement).style.transform)?.[1]));

/** A step's centre on screen. */
const centre = async (id: string) => {
  const b = (await ui.page.locator(`[data-testid="node-${id}"]`).boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
};

/** Every drawn edge: its id, where its path ends, and whether each straight run is horizontal or vertical. */
function drawnEdges(): Promise<{ id: string; end: string; before: string; orthogonal: boolean }[]> {
  return ui.page.evaluate(() =>
    [...document.querySelectorAll<SVGGElement>('.react-flow__edge')].map((g) => {
      const d = g.querySelector('path.react-flow__edge-path')!.getAttribute('d')!;
      // "M x,y L x,y Q cx,cy x,y L ...": the straight runs are the L commands, from the previous end point.
      const tokens = d.match(/[MLQ][^MLQ]*/g)!.map((t) => ({
        cmd: t[0],
        pts: t
          .slice(1)
          .trim()
          .split(/\s+/)
          .map((p) => p.split(',').map(Number)),
      }));
      let at = tokens[0]!.pts[0]!;
      let orthogonal = true;
      const ends: number[][] = [];
      for (const t of tokens) {
        const last = t.pts.at(-1)!;
        if (t.cmd === 'L' && Math.abs(last[0]! - at[0]!) > 0.5 && Math.abs(last[1]! - at[1]!) > 0.5) orthogonal = false;
        at = last;
        ends.push(last);
      }
      return { id: g.dataset.id!, end: ends.at(-1)!.join(','), before: ends.at(-2)!.join(','), orthogonal };
    }),
  );
}

describe('the canvas a marketer needs no manual for', () => {
  it('leaves every step reachable after fit view and auto-layout: the minimap, the controls and the search cover none', async () => {
    const { page } = ui;
    for (const id of ['pricing-intent', 'renewal-risk', 'nps-detractor']) {
      await openJourney(id);
      expect({ id, opened: await unreachableSteps() }).toEqual({ id, opened: [] });
      await page.getByRole('button', { name: 'Auto-layout' }).click();
      await canvasAtRest(page);
      expect({ id, laidOut: await unreachableSteps() }).toEqual({ id, laidOut: [] });
      await page.locator('.react-flow__controls-fitview').click();
      await canvasAtRest(page);
      expect({ id, fitted: await unreachableSteps() }).toEqual({ id, fitted: [] });
      await ui.shot(`30-fit-view-${id}`);
    }
    expect(ui.problems).toEqual([]);
  });

  it('lays out branches and outcomes in port order, with orthogonal labelled edges that never share a last segment', async () => {
    const { page } = ui;
    await openJourney('pricing-intent');
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await canvasAtRest(page, 8);
    // fit: "Good fit" (left port) leads to the handoff, "otherwise" (right port) to the nurture email.
    expect((await centre('handoff')).x).toBeLessThan((await centre('nurture')).x);
    // The handoff's first outcome (meeting booked) leads left of the exit its other ports share.
    expect((await centre('won')).x).toBeLessThan((await centre('done')).x);
    const labels = await page.locator('.edge-label span').allInnerTexts();
    expect(labels.sort()).toEqual(['Good fit', 'expired', 'meeting booked', 'not interested', 'otherwise'].sort());
    const edges = await drawnEdges();
    expect(edges.filter((e) => !e.orthogonal).map((e) => e.id)).toEqual([]);
    // Three edges end in "done": each on its own spot, each with its own last run.
    const intoDone = edges.filter((e) =>
      ['wait:next', 'handoff:outcomes.not_interested', 'handoff:onExpire'].includes(e.id),
    );
    expect(new Set(intoDone.map((e) => e.end)).size).toBe(3);
    expect(new Set(intoDone.map((e) => e.before)).size).toBe(3);
    expect(await edgesBehindNodes(page)).toEqual([]);
    await ui.shot('31-layout-port-order-labels');

    // A journey with more branching: every example is laid out with no edge behind a step.
    for (const id of ['renewal-risk', 'onboarding-ab', 'adoption-stall']) {
      await openJourney(id);
      await page.getByRole('button', { name: 'Auto-layout' }).click();
      await canvasAtRest(page);
      expect({
        id,
        behind: await edgesBehindNodes(page),
        skewed: (await drawnEdges()).filter((e) => !e.orthogonal).map((e) => e.id),
      }).toEqual({ id, behind: [], skewed: [] });
      await ui.shot(`31-layout-${id}`);
    }
    expect(ui.problems).toEqual([]);
  });

  it('opens 100- and 1,000-step journeys legible on their entry, and finds any step by name or id', async () => {
    const { page } = ui;
    for (const n of [100, 1000]) {
      await adminApi(ui, 'POST', '/journeys', chainJourney(`chain-${n}`, n));
      await openJourney(`chain-${n}`);
      expect(await zoom()).toBeGreaterThanOrEqual(0.5);
      expect(await page.locator('[data-testid="node-$trigger"]').isVisible()).toBe(true);
      const entry = (await unreachableSteps()).filter((p) => p.startsWith('$trigger'));
      expect(entry).toEqual([]);
      // Up to 200 steps the minimap is there; past it, squeezed into its box, a chain is a line a pixel
      // wide: it waits for the "Show minimap" control. Shown, it draws the whole journey, measured or not.
      const minimap = page.locator('.react-flow__minimap');
      if (n > 200) {
        expect(await minimap.count()).toBe(0);
        await ui.shot(`32-open-${n}-steps`);
        await page.getByRole('button', { name: 'Show minimap' }).click();
      }
      expect(await page.locator('.react-flow__minimap-node').count()).toBe(n + 1);
      if (n > 200) {
        await page.getByRole('button', { name: 'Hide minimap' }).click();
        expect(await minimap.count()).toBe(0);
      } else await ui.shot(`32-open-${n}-steps`);
    }
    // By id: Enter jumps to the first match.
    const search = page.getByLabel('find a step');
    await search.fill('s750');
    await search.press('Enter');
    const s750 = page.locator('[data-testid="node-s750"]');
    await expect.poll(() => s750.getAttribute('class')).toContain('selected');
    await canvasAtRest(page);
    expect((await unreachableSteps()).filter((p) => p.startsWith('s750 '))).toEqual([]);
    expect(await zoom()).toBeGreaterThanOrEqual(0.5);
    // By name: the label of step s500.
    await search.fill('renewal rem');
    // The field names the option the arrows and Enter act on (the combobox pattern).
    expect(await search.getAttribute('aria-activedescendant')).toBe(
      await page.getByRole('option', { name: /Renewal reminder/ }).getAttribute('id'),
    );
    await ui.shot('33a-search-options');
    await page.getByRole('option', { name: /Renewal reminder/ }).click();
    await expect.poll(() => page.locator('[data-testid="node-s500"]').getAttribute('class')).toContain('selected');
    await canvasAtRest(page);
    expect((await unreachableSteps()).filter((p) => p.startsWith('s500 '))).toEqual([]);
    await ui.shot('33-found-by-name');
    expect(ui.problems).toEqual([]);
  }, 120_000);

  it('opens a 1,000-step journey drawing only the steps in view, with every drawn edge on its handles', async () => {
    const { page } = ui;
    await adminApi(ui, 'POST', '/journeys', chainJourney('chain-drawn', 1000));
    await page.goto(`${ui.base}/#/`);
    await page.locator('table.journeys').waitFor();
    // Count every step card React Flow puts in the page while the journey opens, even for one frame.
    await page.evaluate(() => {
      const w = window as unknown as { cardsMounted: Set<string> };
      w.cardsMounted = new Set();
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (n instanceof HTMLElement)
              for (const card of [n, ...n.querySelectorAll<HTMLElement>('.react-flow__node')])
                if (card.classList.contains('react-flow__node')) w.cardsMounted.add(card.dataset.id!);
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.evaluate(() => (location.hash = '#/journeys/chain-drawn'));
    await page.locator('[data-testid="node-$trigger"]').waitFor();
    await canvasAtRest(page);
    const mounted = await page.evaluate(() => (window as unknown as { cardsMounted: Set<string> }).cardsMounted.size);
    // Not the 1,001 React Flow would draw once each to measure them: the steps in view, and a few more.
    expect(mounted).toBeLessThan(60);
    expect(await edgesOffTheirHandles()).toEqual([]);
    // Steps scrolled into view are drawn, measured and joined as exactly.
    const search = page.getByLabel('find a step');
    await search.fill('s750');
    await search.press('Enter');
    await expect.poll(() => page.locator('[data-testid="node-s750"]').getAttribute('class')).toContain('selected');
    await canvasAtRest(page);
    expect(await page.locator('.react-flow__edge').count()).toBeGreaterThan(2);
    expect(await edgesOffTheirHandles()).toEqual([]);
    await ui.shot('34-drawn-in-view');
    expect(ui.problems).toEqual([]);
  }, 120_000);

  it('adds steps by click, by keyboard, and by "+" on a port or an edge, in place', async () => {
    const { page } = ui;
    await adminApi(ui, 'POST', '/journeys', {
      schema: 'baton.journey/v1',
      id: 'added',
      name: 'Added in place',
      trigger: { event: 'Signed Up' },
      nodes: [],
      ui: { positions: { $trigger: { x: 0, y: 0 } } },
    });
    await openJourney('added');
    const edge = (from: string, to: string) => ({
      waitFor: () =>
        page.locator(`.react-flow__edge[aria-label="Edge from ${from} to ${to}"]`).waitFor({ state: 'attached' }),
      count: () => page.locator(`.react-flow__edge[aria-label="Edge from ${from} to ${to}"]`).count(),
    });
    // Click: with the entry selected, a Branch follows it.
    await page.locator('[data-testid="node-$trigger"]').click();
    await page.getByTestId('palette-branch').click();
    await edge('$trigger', 'branch').waitFor();
    // Keyboard: Tab to the Exit entry of the palette and press Enter: it follows the selected branch's first open port.
    await page.getByTestId('palette-wait').focus();
    for (const _ of ['pause', 'branch', 'split', 'handoff', 'exit']) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('palette-exit');
    await page.keyboard.press('Enter');
    await edge('branch', 'exit').waitFor();
    // "+" on an open port: a Wait after the branch's "otherwise", chosen from the menu by keyboard.
    await page.getByTestId('add-branch-otherwise').click();
    await page.getByRole('menu', { name: 'add a step' }).waitFor();
    await page.keyboard.press('ArrowDown'); // Action → Wait
    await page.keyboard.press('Enter');
    await edge('branch', 'wait').waitFor();
    // A duration is a number and a unit.
    await page.locator('[data-testid="node-wait"]').click();
    await page.getByLabel('duration', { exact: true }).fill('36');
    await page.getByLabel('duration unit').selectOption('hours');
    await expect.poll(() => page.locator('[data-testid="node-wait"]').innerText()).toContain('for 36 hours');
    // "+" on an edge: an Action between the entry and the branch; the branch follows it.
    await page.getByRole('button', { name: 'add a step between $trigger and branch' }).click();
    await page.getByRole('menuitem', { name: 'Action' }).click();
    await edge('$trigger', 'action').waitFor();
    await edge('action', 'branch').waitFor();
    expect(await edge('$trigger', 'branch').count()).toBe(0);
    await canvasAtRest(page);
    expect(await edgesBehindNodes(page)).toEqual([]);
    await ui.shot('34-added-in-place');
    // What was drawn is the journey (saved on its own, see unsaved.test.ts).
    await expect
      .poll(
        async () =>
          ((await adminApi(ui, 'GET', '/journeys/added')).draftDefinition as { start?: string } | null)?.start,
        { timeout: 10_000 },
      )
      .toBe('action');
    const draft = (await adminApi(ui, 'GET', '/journeys/added')).draftDefinition as {
      nodes: Record<string, unknown>[];
    };
    const byId = Object.fromEntries(draft.nodes.map((n) => [n.id, n]));
    expect(byId.action).toMatchObject({ type: 'action', next: 'branch' });
    expect(byId.branch).toMatchObject({ paths: [{ next: 'exit' }], otherwise: 'wait' });
    expect(byId.wait).toMatchObject({ duration: 'PT36H' });
    expect(ui.problems).toEqual([]);
  });

  it('draws an edit on a long journey before it checks it: the step is on the canvas while the problem list is still the old one', async () => {
    const { page } = ui;
    await adminApi(ui, 'POST', '/journeys', { ...chainJourney('edit-first', 300), name: 'Edit first' });
    await openJourney('edit-first');
    const problems = page.locator('[aria-label=problems] h3');
    expect(await problems.innerText()).toMatch(/Ready to publish/i);
    // What the problem list says at the moment the new step is put in the page (the same commit).
    await page.evaluate(() => {
      const w = window as unknown as { problemsWhenDrawn?: string };
      const seen = new MutationObserver(() => {
        if (!document.querySelector('[data-testid="node-wait"]')) return;
        seen.disconnect();
        w.problemsWhenDrawn = document.querySelector('[aria-label=problems] h3')!.textContent!;
      });
      seen.observe(document.body, { childList: true, subtree: true });
    });
    const entryBefore = await page.getByTestId('node-s0').boundingBox();
    await page.getByTestId('palette-wait').click();
    await page.locator('[data-testid="node-wait"]').waitFor();
    // Then the check catches up: the new step leads nowhere and nothing leads to it.
    await expect.poll(() => problems.innerText()).toMatch(/^2 problems$/i);
    expect(await page.evaluate('window.problemsWhenDrawn')).toMatch(/Ready to publish/i);
    // Every port was taken, so it follows nothing: it goes to a free place in view, on no other step.
    const overlapping = await page.evaluate(() => {
      const added = document.querySelector('[data-testid="node-wait"]')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('.react-flow__node')]
        .filter((n) => n.dataset.id !== 'wait')
        .filter((n) => {
          const r = n.getBoundingClientRect();
          return r.left < added.right && added.left < r.right && r.top < added.bottom && added.top < r.bottom;
        })
        .map((n) => n.dataset.id);
    });
    expect(overlapping).toEqual([]);
    // Placed in view, it is shown where it is: the view does not move, and the entry stays where it was.
    const canvas = (await page.locator('.react-flow').boundingBox())!;
    const added = (await page.getByTestId('node-wait').boundingBox())!;
    expect(added.x).toBeGreaterThanOrEqual(canvas.x);
    expect(added.y).toBeGreaterThanOrEqual(canvas.y);
    expect(added.x + added.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(added.y + added.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    expect(await page.getByTestId('node-s0').boundingBox()).toEqual(entryBefore);
    expect((await unreachableSteps()).filter((p) => p.startsWith('wait '))).toEqual([]);
    await ui.shot('canvas-edit-then-checked');
    expect(ui.problems).toEqual([]);
  });
});
