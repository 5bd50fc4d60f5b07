import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateScript } from '../src/index.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
const run = (name: string) =>
  simulateScript({
    journeys: [read(`${name}/journey.json`)],
    ...(existsSync(new URL(`../../../examples/${name}/team.json`, import.meta.url)) ? { team: read(`${name}/team.json`) } : {}),
    ...(existsSync(new URL(`../../../examples/${name}/workspace.json`, import.meta.url)) ? { workspace: read(`${name}/workspace.json`) } : {}),
    script: read(`${name}/script.json`),
  });

describe('example: adoption stall', () => {
  it('lets active users through, nudges the quiet ones and flags who stays silent', async () => {
    const report = await run('adoption-stall');
    const j = (c: string) => report.contacts[c]!.journeys['adoption-stall']!;
    expect(j('ada')).toMatchObject({ status: 'exited', outcome: 'adopted', path: ['settle', 'active', 'adopted'], messages: [] });
    expect(j('bob')).toMatchObject({ outcome: 'adopted', path: ['settle', 'active', 'nudge', 'listen', 'adopted'] });
    expect(j('bob').messages).toEqual([{ node: 'nudge', action: 'email', at: '2026-11-05T09:05:00Z', suppressed: false }]);
    expect(j('cy')).toMatchObject({ outcome: 'stalled', path: ['settle', 'active', 'nudge', 'listen', 'text', 'flag', 'stalled'] });
    expect(j('cy').messages.map((m) => `${m.action}@${m.at}`)).toEqual(['email@2026-11-05T09:10:00Z', 'sms@2026-11-10T09:10:00Z']);
    expect(report.nodes['adoption-stall']).toMatchObject({ settle: { entered: 3 }, nudge: { entered: 2 }, text: { entered: 1 } });
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
