import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateScript } from '../src/internal.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
const run = (name: string, extra: string[] = []) =>
  simulateScript({
    journeys: [read(`${name}/journey.json`), ...extra.map((f) => read(`${name}/${f}`))],
    ...(existsSync(new URL(`../../../examples/${name}/team.json`, import.meta.url))
      ? { team: read(`${name}/team.json`) }
      : {}),
    ...(existsSync(new URL(`../../../examples/${name}/workspace.json`, import.meta.url))
      ? { workspace: read(`${name}/workspace.json`) }
      : {}),
    script: read(`${name}/script.json`),
  });

describe('example: adoption stall', () => {
  it('lets active users through, nudges the quiet ones and flags who stays silent', async () => {
    const report = await run('adoption-stall');
    const j = (c: string) => report.contacts[c]!.journeys['adoption-stall']!;
    expect(j('ada')).toMatchObject({
      status: 'exited',
      outcome: 'adopted',
      path: ['settle', 'active', 'adopted'],
      messages: [],
    });
    expect(j('bob')).toMatchObject({ outcome: 'adopted', path: ['settle', 'active', 'nudge', 'listen', 'adopted'] });
    expect(j('bob').messages).toEqual([
      { node: 'nudge', action: 'email', at: '2026-11-05T09:05:00Z', suppressed: false },
    ]);
    expect(j('cy')).toMatchObject({
      outcome: 'stalled',
      path: ['settle', 'active', 'nudge', 'listen', 'text', 'flag', 'stalled'],
    });
    expect(j('cy').messages.map((m) => `${m.action}@${m.at}`)).toEqual([
      'email@2026-11-05T09:10:00Z',
      'sms@2026-11-10T09:10:00Z',
    ]);
    expect(report.nodes['adoption-stall']).toMatchObject({
      settle: { entered: 3 },
      nudge: { entered: 2 },
      text: { entered: 1 },
    });
    expect(report.refused).toEqual([]);
  });
});

describe('example: onboarding A/B', () => {
  it('splits stably, skips enterprise plans, applies a duplicate messageId once and counts every run', async () => {
    const report = await run('onboarding-ab');
    expect(report.contacts.u3!.journeys).toEqual({});
    const u1 = report.contacts.u1!.journeys['onboarding-ab']!;
    expect(u1.runs).toBe(2);
    // u1 gets the same variant both runs; the node counts include the first run.
    expect(report.nodes['onboarding-ab']!.variant!.entered).toBe(3);
    const u1Variant = u1.path[1]!;
    expect(report.nodes['onboarding-ab']![u1Variant]!.entered).toBe(2);
    expect(report.contacts.u2!.journeys['onboarding-ab']!.path.slice(-2)).toEqual(['mark_team', 'done']);
  });
});

describe('example: trial nurture', () => {
  it('sends good fits to the CRM, exits new customers, and offers an extension to hot trials', async () => {
    const report = await run('trial-nurture');
    const j = (c: string) => report.contacts[c]!.journeys['trial-nurture']!;
    expect(j('vp').path).toEqual(['fit', 'tell_sales', 'guide', 'wait', 'engaged', 'offer', 'done']);
    expect(j('dev').path).toEqual(['fit', 'guide', 'wait', 'engaged', 'case_study', 'done']);
    expect(j('buyer')).toMatchObject({ status: 'exited', outcome: 'became_customer', path: ['fit', 'guide', 'wait'] });
  });
});

describe('example: B2B pricing intent to an account executive', () => {
  it('routes to the owner, escalates a lead nobody touched, and refuses an outcome the node does not have', async () => {
    const report = await run('pricing-intent');
    const j = (c: string) => report.contacts[c]!.journeys['pricing-intent']!;
    expect(j('acme-vp')).toMatchObject({ status: 'exited', outcome: 'converted', path: ['fit', 'handoff', 'won'] });
    expect(j('acme-vp').handoffs[0]).toMatchObject({
      record: 'lead',
      queue: null,
      assignee: 'bo',
      acceptedAt: '2026-11-20T10:30:00Z',
      breached: false,
      escalatedTo: null,
      outcome: 'meeting_booked',
      title: 'Pricing intent: Acme',
      trace: ['rule 1 owner: bo'],
    });
    // Friday 16:00 Berlin + PT4H of business time = Monday 12:00 Berlin; nobody accepts, the managers get it.
    expect(j('globex-vp').handoffs[0]).toMatchObject({
      queue: 'sales-managers',
      assignee: 'mia',
      assignedAt: '2026-11-23T11:00:00Z',
      dueAt: '2026-11-23T11:00:00Z',
      acceptedAt: null,
      breached: true,
      escalatedTo: 'mia',
      outcome: 'meeting_booked',
      closedAt: '2026-11-23T14:00:00Z',
    });
    expect(j('globex-vp').handoffs[0]!.why).toEqual([
      'entered: event.properties.path /pricing = /pricing',
      'fit → Good fit: score.fit 70 ≥ 70',
    ]);
    expect(j('tiny-dev')).toMatchObject({
      outcome: 'completed',
      path: ['fit', 'nurture', 'wait', 'done'],
      handoffs: [],
    });
    expect(report.handoffs).toEqual({ created: 2, accepted: 1, breached: 1, unassigned: 0 });
    expect(report.refused).toEqual([
      {
        step: 4,
        error:
          'outcome "maybe_later" is not one of the outcomes of pricing-intent/handoff: meeting_booked, not_interested',
      },
    ]);
  });
});

describe('example: renewal risk to the customer success manager', () => {
  it('gives a critical account to its CSM, escalates it, and reroutes a rejected task until someone is back', async () => {
    const report = await run('renewal-risk');
    const initech = report.contacts.initech!.journeys['renewal-risk']!;
    expect(initech).toMatchObject({ outcome: 'retained', path: ['severity', 'csm_task_urgent', 'retained'] });
    expect(initech.handoffs[0]).toMatchObject({
      record: 'task',
      priority: 'urgent',
      breached: true,
      escalatedTo: 'hana',
      title: 'Save Initech: health 25, renews 2027-01-15',
    });
    const umbrella = report.contacts.umbrella!.journeys['renewal-risk']!;
    expect(umbrella.handoffs[0]).toMatchObject({
      assignee: 'lee',
      assignedAt: '2026-11-25T15:00:00Z',
      outcome: 'expired',
      rejectedBy: [{ rep: 'sam', reason: 'Out this week', at: '2026-11-24T15:00:00Z' }],
    });
    // One working day after Wednesday 10:00 New York skips Thanksgiving: Friday 10:00.
    expect(umbrella.handoffs[0]!.dueAt).toBe('2026-11-27T15:00:00Z');
    expect(umbrella).toMatchObject({
      outcome: 'no_csm_response',
      path: ['severity', 'csm_task', 'sponsor_email', 'unresolved'],
    });
    expect(report.contacts.hooli!.journeys).toEqual({});
    expect(report.handoffs).toEqual({ created: 2, accepted: 0, breached: 2, unassigned: 1 });
  });
});

describe('example: NPS detractor to a service case', () => {
  it("opens a case and pauses the contact's other journeys until it is resolved", async () => {
    const report = await run('nps-detractor', ['product-tips.json', 'daily-digest.json']);
    const jo = report.contacts.jo!.journeys;
    expect(jo['nps-detractor']!.handoffs[0]).toMatchObject({
      record: 'case',
      queue: 'tier1',
      assignee: 'noor',
      acceptedAt: '2026-11-03T11:30:00Z',
      outcome: 'resolved',
      title: 'Detractor: Jo Lane at Vandelay scored 3',
    });
    // The second tip was due on the 4th, while the case was open: it went out when the case was resolved.
    expect(jo['product-tips']!.messages.map((m) => m.at)).toEqual([
      '2026-11-02T09:00:00Z',
      '2026-11-05T12:00:00Z',
      '2026-11-07T12:00:00Z',
    ]);
    expect(jo['daily-digest']!.messages.map((m) => m.suppressed)).toEqual([false, false, true]);
    // A promoter gets no case and no pause.
    expect(report.contacts.kim!.journeys['nps-detractor']).toBeUndefined();
    expect(report.contacts.kim!.journeys['product-tips']!.messages.map((m) => m.at)).toEqual([
      '2026-11-02T09:00:00Z',
      '2026-11-04T09:00:00Z',
      '2026-11-06T09:00:00Z',
    ]);
  });
});
