import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DraftJourney, DraftNode } from '../src/model/index.ts';
import { ARTIFACTS, adminApi, axeProblems, canvasAtRest, openDesigner } from './browser.ts';

let ui: Awaited<ReturnType<typeof openDesigner>>;

beforeAll(async () => {
  ui = await openDesigner(mkdtempSync(join(tmpdir(), 'baton-forms-')));
  await ui.page.goto(`${ui.base}/#token=${ui.server.config.data.adminToken}`);
  await ui.page.locator('table.journeys').waitFor();
}, 60_000);
afterAll(() => ui?.close());

/** Opens a journey on the canvas. */
async function open(id: string) {
  await ui.page.goto(`${ui.base}/#/journeys/${id}`);
  await canvasAtRest(ui.page);
}

/** Saves the draft and reads it back from the server: what the form wrote, not what it shows. */
async function savedDraft(id: string): Promise<DraftJourney> {
  const saved = ui.page.waitForResponse(
    (r) => r.url().includes(`/api/journeys/${id}`) && r.request().method() !== 'GET' && r.ok(),
  );
  await ui.page.getByRole('button', { name: 'Save draft' }).click();
  await saved;
  const detail = (await adminApi(ui, 'GET', `/journeys/${id}`)) as { draftDefinition: DraftJourney };
  return detail.draftDefinition;
}

/** Selects a step the way a user finds one that is off screen: the step search, then Enter. */
async function select(id: string) {
  const search = ui.page.getByLabel('find a step');
  await search.fill(id);
  await search.press('Enter');
  await ui.page.locator('.inspector h3', { hasText: ` · ${id}` }).waitFor();
}

const nodeOf = (j: DraftJourney, id: string) => j.nodes.find((n) => n.id === id) as DraftNode;

/** Types into a field the way a user does: fill, then leave it (fields commit on blur). */
async function type(locator: ReturnType<typeof ui.page.locator>, text: string) {
  await locator.fill(text);
  await locator.press('Tab');
}

describe('journey settings and step parameters as forms, not JSON', () => {
  it('picks re-entry among never, once they have left, and after a number of days or weeks', async () => {
    const { page } = ui;
    await open('pricing-intent');
    const reentry = page.getByLabel('re-entry', { exact: true });
    expect(await reentry.locator('option:checked').innerText()).toBe('never: a contact enters once');
    expect(await reentry.locator('option').allInnerTexts()).toEqual([
      'never: a contact enters once',
      'again, once they have left',
      'again, after a while',
    ]);
    await reentry.selectOption({ label: 'again, after a while' });
    const gap = page.getByLabel('time between entries', { exact: true });
    // It starts from 30 days, as a number and a unit.
    expect(await gap.inputValue()).toBe('30');
    expect(await page.getByLabel('time between entries unit').inputValue()).toBe('days');
    // Nonsense is said in words beside the field, and not written.
    await type(gap, 'soon');
    await page.getByText('a number (then pick the unit), or an ISO 8601 duration').waitFor();
    // Emptying it is not "never": it asks for a length and keeps the last one.
    await type(gap, '');
    await page.getByText('say how long, or pick never above').waitFor();
    await type(gap, '2');
    await page.getByLabel('time between entries unit').selectOption('weeks');
    expect(await page.getByText('a number (then pick the unit)').count()).toBe(0);
    await ui.shot('50-reentry-after-a-while');
    expect(await axeProblems(page)).toEqual([]);
    expect((await savedDraft('pricing-intent')).reentry).toBe('P2W');
    await reentry.selectOption({ label: 'again, once they have left' });
    expect(await gap.count()).toBe(0);
    expect((await savedDraft('pricing-intent')).reentry).toBe('after_exit');
    expect(ui.problems).toEqual([]);
  });

  it("narrows a pause's event with the condition builder, and lets any such event count again", async () => {
    const { page } = ui;
    await open('adoption-stall');
    await select('listen');
    await page.getByRole('button', { name: '+ only when…' }).click();
    const where = page.getByTestId('pause-where');
    await type(where.getByLabel('field', { exact: true }), 'event.properties.feature');
    await where.getByLabel('operator', { exact: true }).selectOption('eq');
    await type(where.getByLabel('value', { exact: true }), 'reports');
    // The card says the event is narrowed.
    await expect
      .poll(() => page.locator('[data-testid="node-listen"]').innerText())
      .toContain('until Feature Used\nthat meets a condition\nor after 5 days');
    await ui.shot('51-pause-where');
    expect(await axeProblems(page)).toEqual([]);
    expect(nodeOf(await savedDraft('adoption-stall'), 'listen').until).toEqual({
      event: 'Feature Used',
      where: { field: 'event.properties.feature', op: 'eq', value: 'reports' },
    });
    await where.getByRole('button', { name: 'any Feature Used counts' }).click();
    expect(await where.count()).toBe(0);
    expect(nodeOf(await savedDraft('adoption-stall'), 'listen').until).toEqual({ event: 'Feature Used' });
    expect(ui.problems).toEqual([]);
  });

  it('lists exit rules as condition and outcome rows, added and removed, naming a missing outcome', async () => {
    const { page } = ui;
    await open('pricing-intent');
    const first = page.getByRole('group', { name: 'exit rule 1' });
    expect(await first.getByLabel('field', { exact: true }).inputValue()).toBe('contact.lifecycle');
    expect(await first.getByLabel('value', { exact: true }).inputValue()).toBe('customer');
    expect(await page.getByLabel('exit rule 1 outcome').inputValue()).toBe('became_customer');
    await page.getByRole('button', { name: '+ exit rule' }).click();
    const second = page.getByRole('group', { name: 'exit rule 2' });
    await type(second.getByLabel('value', { exact: true }), 'churned');
    await type(page.getByLabel('exit rule 2 outcome'), '');
    await second.getByText('Name the outcome').waitFor();
    // The problems list says it in the form's words too, not the engine's path.
    await page
      .locator('[aria-label=problems]')
      .getByText("exit rule 2's outcome is empty: name it, reports count the contacts who left this way under it")
      .waitFor();
    await ui.shot('52-exit-rules-missing-outcome');
    await type(page.getByLabel('exit rule 2 outcome'), 'churned');
    expect(await second.getByText('Name the outcome').count()).toBe(0);
    await page.getByRole('button', { name: 'remove exit rule 1' }).click();
    expect(await page.getByRole('group', { name: /^exit rule/ }).count()).toBe(1);
    await ui.shot('53-exit-rules');
    expect(await axeProblems(page)).toEqual([]);
    expect((await savedDraft('pricing-intent')).exitWhen).toEqual([
      { when: { field: 'contact.lifecycle', op: 'eq', value: 'churned' }, outcome: 'churned' },
    ]);
    // The raw JSON is still there for what the form does not show, behind "Advanced", and refuses a non-list.
    await page.getByText('Advanced: exit rules as JSON').click();
    await type(page.getByLabel('exit when JSON'), '{ "when": {} }');
    await page.getByText('a list of exit rules').waitFor();
    expect(await page.getByRole('group', { name: /^exit rule/ }).count()).toBe(1);
    expect(ui.problems).toEqual([]);
  });

  it("gives each action its own labelled fields: a message's template, a webhook's URL, the traits to set", async () => {
    const { page } = ui;
    await open('adoption-stall');
    // SMS: the template, and whether it goes out while a rep works the contact.
    await select('text');
    expect(await page.getByLabel('template', { exact: true }).inputValue()).toBe('need-a-hand');
    await page.getByLabel('send while a rep works the contact').selectOption({ label: 'send anyway' });
    // update_contact: the traits as name and value rows; a number stays a number.
    await select('flag');
    const traits = page.getByRole('group', { name: 'traits to set' });
    expect(await traits.getByLabel('trait 1 name').inputValue()).toBe('adoption');
    expect(await traits.getByLabel('trait 1 value').inputValue()).toBe('stalled');
    await traits.getByRole('button', { name: '+ trait' }).click();
    await type(traits.getByLabel('trait 2 name'), 'health');
    await type(traits.getByLabel('trait 2 value'), '40');
    // The rows fit the inspector: nothing to scroll sideways for.
    expect(await page.locator('.inspector').evaluate((e) => e.scrollWidth - e.clientWidth)).toBe(0);
    await ui.shot('54-action-traits');
    expect(await axeProblems(page)).toEqual([]);
    // A webhook asks for its URL, and says so until it is a web address.
    await select('nudge');
    await page.getByLabel('action', { exact: true }).selectOption('webhook');
    await page.getByText('Enter a web address starting with https://').waitFor();
    await type(page.getByLabel('webhook URL'), 'https://hooks.example.com/stalled');
    expect(await page.getByText('Enter a web address').count()).toBe(0);
    await ui.shot('55-action-webhook');
    expect(await axeProblems(page)).toEqual([]);
    // notify: the contact's owner or a rep of the team, by name.
    await page.getByLabel('action', { exact: true }).selectOption('notify');
    const whom = page.getByLabel('notify whom');
    expect(await whom.locator('option:checked').innerText()).toBe("the contact's owner");
    const reps = ((await adminApi(ui, 'GET', '/team')) as { reps: { id: string; name?: string }[] }).reps;
    expect(await whom.locator('option').allInnerTexts()).toEqual([
      "the contact's owner",
      ...reps.map((r) => r.name ?? r.id),
    ]);
    await whom.selectOption(reps[0]!.id);
    await type(page.getByLabel('notify message'), 'Adoption stalled: call them');
    await ui.shot('56-action-notify');
    expect(nodeOf(await savedDraft('adoption-stall'), 'nudge')).toMatchObject({
      action: 'notify',
      params: { to: reps[0]!.id, message: 'Adoption stalled: call them' },
    });
    await page.getByLabel('action', { exact: true }).selectOption('webhook');
    await type(page.getByLabel('webhook URL'), 'https://hooks.example.com/stalled');
    const saved = await savedDraft('adoption-stall');
    expect(nodeOf(saved, 'text').params).toEqual({ template: 'need-a-hand', whileHumanEngaged: 'send' });
    expect(nodeOf(saved, 'flag').params).toEqual({ traits: { adoption: 'stalled', health: 40 } });
    expect(nodeOf(saved, 'nudge')).toMatchObject({
      action: 'webhook',
      params: { url: 'https://hooks.example.com/stalled' },
    });
    expect(ui.problems).toEqual([]);
  });

  it('counts events within a number and a unit, like every other duration, and still takes ISO 8601', async () => {
    const { page } = ui;
    await adminApi(ui, 'POST', '/journeys', {
      schema: 'baton.journey/v1',
      id: 'event-window',
      name: 'Event window',
      trigger: { event: 'Signed Up' },
      start: 'engaged',
      nodes: [
        {
          id: 'engaged',
          type: 'branch',
          paths: [{ label: 'Busy', when: { event: 'Page Viewed', within: 'P7D', op: 'gte', value: 2 }, next: 'yes' }],
          otherwise: 'no',
        },
        { id: 'yes', type: 'exit', outcome: 'busy' },
        { id: 'no', type: 'exit', outcome: 'quiet' },
      ],
    });
    await open('event-window');
    await select('engaged');
    const within = page.getByLabel('within', { exact: true });
    const unit = page.getByLabel('within unit');
    expect(await within.inputValue()).toBe('7');
    expect(await unit.inputValue()).toBe('days');
    await type(within, '36');
    await unit.selectOption('hours');
    const when = () =>
      savedDraft('event-window').then((j) => (nodeOf(j, 'engaged').paths as { when: unknown }[])[0]!.when);
    expect(await when()).toEqual({ event: 'Page Viewed', within: 'PT36H', op: 'gte', value: 2 });
    await page.locator('.inspector').screenshot({ path: `${ARTIFACTS}forms-event-window.png` });
    // ISO 8601 is still taken as typed.
    await type(within, 'P1DT12H');
    expect(await when()).toEqual({ event: 'Page Viewed', within: 'P1DT12H', op: 'gte', value: 2 });
    expect(await axeProblems(page)).toEqual([]);
    expect(ui.problems).toEqual([]);
  });

  it("offers to notify the reps of the team the journey hands off to: a sales journey's list has no service rep", async () => {
    const { page } = ui;
    await open('pricing-intent');
    await select('nurture');
    await page.getByLabel('action', { exact: true }).selectOption('notify');
    const reps = ((await adminApi(ui, 'GET', '/team')) as { reps: { id: string; name?: string; team?: string }[] })
      .reps;
    expect(reps.some((r) => r.team === 'service')).toBe(true);
    expect(await page.getByLabel('notify whom').locator('option').allInnerTexts()).toEqual([
      "the contact's owner",
      ...reps.filter((r) => r.team === 'sales').map((r) => r.name ?? r.id),
    ]);
    await ui.shot('56b-action-notify-sales-reps');
    expect(ui.problems).toEqual([]);
  });
});
