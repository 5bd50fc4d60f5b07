import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems, openDesigner, pricingVisit } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-inbox-')));
}, 60_000);
afterAll(() => ui?.close());

describe("the reps' inbox and the reports, in a browser", () => {
  it('lets a rep accept a handoff a track event created and log an outcome, live, and shows it in the report', async () => {
    const { page } = ui;
    const ana = (await ui.server.config.createToken({ role: 'rep', rep: 'ana' })).token;
    await pricingVisit(ui, 'acme');
    await page.goto(`${ui.base}/inbox#token=${ana}`);
    await page.getByText('acme GmbH').first().waitFor();
    expect(await page.locator('[data-testid=handoff-item]').count()).toBe(1);
    // Whose it is, and with whom, under the title.
    expect(await page.locator('[data-testid=handoff-item] .handoff-who').innerText()).toBe('acme · with Ana Ortiz');
    // The rep by their name in the team, not their id (or the token's name).
    expect(await page.locator('.topbar .whoami').innerText()).toBe('Ana Ortiz (rep)');

    // A new lead for ana arrives while the inbox is open: it appears without a reload (SSE).
    await pricingVisit(ui, 'globex', { ownerId: 'ana' });
    await expect.poll(() => page.locator('[data-testid=handoff-item]').count(), { timeout: 10_000 }).toBe(2);

    // Opened with the keyboard, as a rep who does not use the mouse would.
    await page.locator('[data-testid=handoff-item]', { hasText: 'acme GmbH' }).getByRole('button').focus();
    await page.keyboard.press('Enter');
    const record = page.locator('[aria-label=handoff]');
    await record.getByText('Why it fired').waitFor();
    expect(await record.locator('[data-testid=sla]').innerText()).toMatch(/due in|overdue by/);
    expect(await record.locator('.why').innerText()).toMatch(/score\.fit \d+ ≥ 70/);
    expect(await record.locator('.timeline').innerText()).toContain('Page Viewed');
    await ui.shot('10-inbox-record');

    await record.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => record.locator('[data-testid=sla]').innerText()).toBe('accepted');
    // The value is a number field: "30k EUR" cannot be typed into it.
    expect(await record.getByLabel('value').getAttribute('type')).toBe('number');
    await record.getByLabel('value').fill('30000');
    await record.getByRole('button', { name: 'meeting booked' }).click();
    // The rep is told what was logged (the handoff itself leaves the open list).
    await expect
      .poll(() => page.getByTestId('inbox-notice').innerText())
      .toContain('Logged “meeting booked” (value 30,000)');
    // Closed: it leaves the open list, the other one stays.
    await expect.poll(() => page.locator('[data-testid=handoff-item]').count(), { timeout: 10_000 }).toBe(1);
    const closed = (await ui.server.store.load('acme'))!.handoffs[0]!;
    expect(closed).toMatchObject({ status: 'closed', outcome: 'meeting_booked', value: 30000, assignee: 'ana' });
    expect((await ui.server.store.load('acme'))!.instances.find((i) => i.journeyId === 'pricing-intent')).toMatchObject(
      { status: 'exited', outcome: 'converted' },
    );
    await ui.shot('11-inbox-after-outcome');

    // The manager's view of the team: ana still holds the other lead.
    await page.goto(`${ui.base}/inbox#token=${ui.server.config.data.adminToken}`);
    await page.getByRole('button', { name: 'Team' }).click();
    const anaRow = page.locator('table.loads tbody tr', { hasText: 'ana' });
    await expect.poll(() => anaRow.locator('td').nth(1).innerText()).toBe('1');
    await ui.shot('11b-inbox-team');

    // The manager sees it in the report.
    await page.goto(`${ui.base}/reports#token=${ui.server.config.data.adminToken}`);
    const totals = page.locator('[data-testid=report-totals]');
    await totals.waitFor();
    const text = await totals.innerText();
    expect(text).toMatch(/Handoffs\s*2\s*1 open/);
    expect(text).toMatch(/Accept rate\s*50%/);
    expect(text).toMatch(/Conversion\s*50%/);
    expect(text).toMatch(/Revenue\s*30,000/);
    // Reps by their names, not their ids.
    expect(await page.locator('.report-table', { hasText: 'By rep' }).innerText()).toContain('Ana Ortiz');
    // Charts (Chart.js on canvases) describe themselves in words.
    expect(await page.getByRole('img', { name: /^Handoffs by rep\./ }).getAttribute('aria-label')).toBe(
      'Handoffs by rep. Ana Ortiz: handoffs 2, accepted 1, breached 0',
    );
    expect(await page.getByRole('img', { name: /^Outcomes\./ }).getAttribute('aria-label')).toBe(
      'Outcomes. meeting booked: handoffs 1',
    );
    await ui.shot('12-reports');

    // The same numbers on the canvas: live counts per node for the journey.
    await page.goto(`${ui.base}/#/journeys/pricing-intent`);
    await page.locator('[data-testid="node-handoff"]').waitFor();
    await page.getByRole('button', { name: 'Live numbers' }).click();
    const count = (id: string) => page.locator(`[data-testid="node-${id}"] [data-testid=sim-count]`);
    await expect.poll(() => count('handoff').innerText()).toBe('2');
    expect(await count('won').innerText()).toBe('1');
    // Each step says how many who came through it converted (a branch path's conversion on its first step).
    expect(await count('handoff').getAttribute('title')).toBe(
      '2 entered · 1 here now · 1 moved on · 1 converted (50%) · 1 of 2 handoffs converted (50%)',
    );
    expect(await count('won').getAttribute('title')).toBe('1 entered · 0 here now · 1 moved on · 1 converted (100%)');
    // And on the step itself, the share converted: the fit branch's "Good fit" path (the handoff) 50%.
    const converted = (id: string) => page.locator(`[data-testid="node-${id}"] [data-testid=sim-converted]`);
    expect(await converted('handoff').innerText()).toBe('✓ 50%');
    expect(await converted('handoff').getAttribute('title')).toBe('1 of 2 converted');
    expect(await converted('won').innerText()).toBe('✓ 100%');
    expect(await axeProblems(page)).toEqual([]);
    await ui.shot('13-canvas-live-numbers');
    expect(ui.problems).toEqual([]);
  }, 120_000);

  it("shows the next rep who rejected the handoff and why, and the handoff's life cycle", async () => {
    const { page } = ui;
    await pricingVisit(ui, 'initech');
    const first = (await ui.server.store.load('initech'))!.handoffs[0]!;
    const names: Record<string, string> = { ana: 'Ana Ortiz', bo: 'Bo Berg' };
    const from = first.assignee!;
    expect(Object.keys(names)).toContain(from);
    // The first rep rejects it with a reason, in the inbox.
    await page.goto(`${ui.base}/inbox#token=${(await ui.server.config.createToken({ role: 'rep', rep: from })).token}`);
    await page.locator('[data-testid=handoff-item]', { hasText: 'initech GmbH' }).click();
    const record = page.locator('[aria-label=handoff]');
    await record.getByRole('button', { name: 'Reject…' }).click();
    await record.getByLabel('reason').fill('Not my territory: a DACH account');
    await record.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect.poll(async () => (await ui.server.store.load('initech'))!.handoffs[0]!.assignee).not.toBe(from);
    const next = (await ui.server.store.load('initech'))!.handoffs[0]!.assignee!;
    expect(Object.keys(names)).toContain(next);

    // The next rep opens it: who rejected it and why come first, and the life cycle tells the story.
    await page.goto(`${ui.base}/inbox#token=${(await ui.server.config.createToken({ role: 'rep', rep: next })).token}`);
    await page.locator('[data-testid=handoff-item]', { hasText: 'initech GmbH' }).click();
    await expect.poll(() => record.getByTestId('rejections').innerText()).toContain(`${names[from]}`);
    expect(await record.getByTestId('rejections').innerText()).toContain('“Not my territory: a DACH account”');
    const life = record.getByTestId('lifecycle').locator('li');
    await expect.poll(() => life.count()).toBeGreaterThanOrEqual(4);
    const steps = (await life.allInnerTexts()).map((t) =>
      t.replace(/^.*?(Created|Assigned|Rejected|Accepted|Escalated|Waiting|Closed)/, '$1'),
    );
    expect(steps).toEqual([
      'Created as a lead',
      expect.stringMatching(new RegExp(`^Assigned to ${names[from]}`)),
      `Rejected by ${names[from]}: “Not my territory: a DACH account”`,
      expect.stringMatching(new RegExp(`^Assigned to ${names[next]}`)),
    ]);
    await ui.shot('14-inbox-rejected-lifecycle');
    expect(ui.problems).toEqual([]);
  }, 60_000);

  it('leaves no reason behind for the next rejection once one was sent', async () => {
    const { page } = ui;
    await pricingVisit(ui, 'umbrella');
    const first = (await ui.server.store.load('umbrella'))!.handoffs[0]!;
    // An admin sees every handoff, so the record stays open in front of them after it is routed on.
    await page.goto(`${ui.base}/inbox#token=${ui.server.config.data.adminToken}`);
    await page.locator('[data-testid=handoff-item]', { hasText: 'umbrella GmbH' }).click();
    const record = page.locator('[aria-label=handoff]');
    await record.getByRole('button', { name: 'Reject…' }).click();
    await record.getByLabel('reason').fill('Not my territory');
    await record.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect
      .poll(async () => (await ui.server.store.load('umbrella'))!.handoffs[0]!.assignee)
      .not.toBe(first.assignee);
    await record.getByRole('button', { name: 'Reject…' }).click();
    expect(await record.getByLabel('reason').inputValue()).toBe('');
    expect(ui.problems).toEqual([]);
  }, 60_000);

  it('reads the list afresh when its live stream reconnects, so what was sent meanwhile is not missed', async () => {
    const { page } = ui;
    await pricingVisit(ui, 'pied-piper', { ownerId: 'ana' });
    await page.goto(
      `${ui.base}/inbox#token=${(await ui.server.config.createToken({ role: 'rep', rep: 'ana' })).token}`,
    );
    await page.locator('[data-testid=handoff-item]', { hasText: 'pied-piper GmbH' }).waitFor();
    const before = await page.locator('[data-testid=handoff-item]').count();
    // The server ends the stream (as when it may have missed other processes' messages), and a lead for
    // ana arrives before the browser has reconnected: its live message reaches nobody.
    ui.server.deps.live.resync();
    await pricingVisit(ui, 'hooli', { ownerId: 'ana' });
    await expect.poll(() => page.locator('[data-testid=handoff-item]').count(), { timeout: 15_000 }).toBe(before + 1);
    expect(ui.problems).toEqual([]);
  }, 60_000);

  it('shows a Segment company object by its name and fields, and keeps a long record within a laptop screen', async () => {
    const { page } = ui;
    const company = { name: 'Wayne Enterprises', id: 'co_9', employee_count: 900 };
    // Before the pricing visit, so that the handoff's timeline holds it: a property with no space to break
    // at, as a tracking URL has.
    const url = `https://shop.example/pricing?utm_campaign=${'x'.repeat(300)}`;
    await ui.server.app.request('/v1/track', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ui.server.config.data.writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: 'bruce', event: 'Link Clicked', properties: { url } }),
    });
    // A trait key with nowhere to break, and a company without a name, which titles the lead by its JSON.
    await pricingVisit(ui, 'bruce', { ownerId: 'ana', company, [`segment_${'k'.repeat(90)}`]: 'v' });
    await pricingVisit(ui, 'selina', { ownerId: 'ana', company: { id: `co_${'y'.repeat(150)}` } });
    await page.setViewportSize({ width: 1280, height: 800 });
    /** How far each part of the inbox runs past its own width (0 when everything wraps inside it). */
    const spills = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('.inbox-list, .inbox-detail, .record-grid > section')].map(
          (el) => el.scrollWidth - el.clientWidth,
        ),
      );
    try {
      await page.goto(`${ui.base}/inbox#token=${ui.server.config.data.adminToken}`);
      const item = page.locator('[data-testid=handoff-item]', { hasText: 'Pricing intent: Wayne Enterprises' });
      await item.getByRole('button').click();
      const record = page.locator('[aria-label=handoff]');
      await record.getByText('Why it fired').waitFor();
      const traits = await record.locator('.traits').innerText();
      expect(traits).toContain('name: Wayne Enterprises · id: co_9 · employee_count: 900');
      expect(traits).not.toContain('{');
      await expect.poll(() => record.locator('.timeline').innerText()).toContain(`url: ${url}`);
      // Nothing runs past the right edge, or from one column into the other: everything wraps in place.
      expect(await spills()).toEqual([0, 0, 0, 0]);
      await ui.shot('11c-inbox-company-object');
      await page.locator('[data-testid=handoff-item]', { hasText: 'co_yyy' }).getByRole('button').click();
      await record.locator('h2', { hasText: 'co_yyy' }).waitFor();
      expect(await spills()).toEqual([0, 0, 0, 0]);
      await ui.shot('11d-inbox-long-title');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    expect(ui.problems).toEqual([]);
  }, 60_000);

  it('shows an admin the inbound webhook secret on asking, and rotates it', async () => {
    const { page } = ui;
    await page.goto(`${ui.base}/inbox#token=${ui.server.config.data.adminToken}`);
    await page.getByRole('button', { name: 'Team' }).click();
    const box = page.locator('[aria-label="inbound webhook secret"]');
    const secret = box.getByTestId('inbound-secret');
    const before = ui.server.config.data.inboundSecret;
    await expect.poll(() => secret.innerText()).toContain(before.slice(0, 6));
    expect(await secret.innerText()).not.toContain(before); // hidden until asked
    await box.getByRole('button', { name: 'Show' }).click();
    expect(await secret.innerText()).toBe(before);
    page.once('dialog', (d) => void d.accept());
    await box.getByRole('button', { name: 'Rotate…' }).click();
    await expect.poll(() => ui.server.config.data.inboundSecret).not.toBe(before);
    await expect.poll(() => secret.innerText()).toBe(ui.server.config.data.inboundSecret);
    await ui.shot('15-inbox-inbound-secret');
    expect(ui.problems).toEqual([]);
  }, 60_000);
});
