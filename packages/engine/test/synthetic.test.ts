import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSynthetic } from '../src/internal.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
const pricing = {
  journeys: [read('pricing-intent/journey.json')],
  team: read('pricing-intent/team.json'),
  workspace: read('pricing-intent/workspace.json'),
};

describe('synthetic simulation', () => {
  it("draws a contact's owner from the reps of the team the handoff goes to, not a service rep for a sales lead", async () => {
    const team = {
      ...pricing.team,
      reps: [...pricing.team.reps, { id: 'hana', name: 'Hana Ito', team: 'service', calendar: 'berlin' }],
    };
    const r = await simulateSynthetic({ ...pricing, team, contacts: 400, seed: 11 });
    const assignees = new Set(
      Object.values(r.contacts).flatMap((c) => (c.journeys['pricing-intent']?.handoffs ?? []).map((h) => h.assignee)),
    );
    expect(assignees.size).toBeGreaterThan(1);
    expect(assignees.has('hana')).toBe(false);
  });

  it('gives the same report for the same seed, and another for another seed', async () => {
    const a = await simulateSynthetic({ ...pricing, contacts: 150, seed: 42 });
    const b = await simulateSynthetic({ ...pricing, contacts: 150, seed: 42 });
    const c = await simulateSynthetic({ ...pricing, contacts: 150, seed: 43 });
    expect(b).toEqual(a);
    expect(c.contacts).not.toEqual(a.contacts);
  });

  it('sends traffic down every path: nurture, handoff, and reps who answer or let the SLA breach', async () => {
    const r = await simulateSynthetic({ ...pricing, contacts: 300, seed: 7 });
    const nodes = r.nodes['pricing-intent']!;
    expect(nodes.fit!.entered).toBeGreaterThan(200);
    expect(nodes.handoff!.entered).toBeGreaterThan(0);
    expect(nodes.nurture!.entered).toBeGreaterThan(0);
    expect(nodes.fit!.entered).toBe(nodes.handoff!.entered + nodes.nurture!.entered);
    expect(r.handoffs.created).toBe(nodes.handoff!.entered);
    expect(r.handoffs.accepted).toBeGreaterThan(0);
    // One rep in ten never answers: those handoffs breach (and the escalation target may still accept them).
    expect(r.handoffs.breached).toBeGreaterThan(0);
    expect(r.timing).toMatchObject({
      contacts: 300,
      seed: 7,
      from: '2026-01-05T08:00:00Z',
      until: '2026-02-04T08:00:00Z',
    });
    expect(Object.keys(r.contacts)).toHaveLength(300);
    const titles = Object.values(r.contacts)
      .flatMap((c) => c.journeys['pricing-intent']?.handoffs ?? [])
      .map((h) => h.title);
    expect(titles.every((t) => /^Pricing intent: Company \d+$/.test(String(t)))).toBe(true);
  });

  it('draws traits from the distributions the user sets', async () => {
    const small = await simulateSynthetic({
      ...pricing,
      contacts: 200,
      seed: 3,
      population: {
        traits: { employees: { uniform: { min: 5, max: 50 } }, title: { oneOf: [{ value: 'Engineer' }] } },
      },
    });
    const nodes = small.nodes['pricing-intent']!;
    expect(nodes.fit!.entered).toBeGreaterThan(150);
    expect(nodes.handoff?.entered ?? 0).toBe(0); // nobody fits: every contact is nurtured
    expect(nodes.nurture!.entered).toBe(nodes.fit!.entered);

    const big = await simulateSynthetic({
      ...pricing,
      contacts: 200,
      seed: 3,
      population: {
        traits: {
          employees: { normal: { mean: 2000, sd: 100 } },
          title: {
            oneOf: [
              { value: 'VP Sales', weight: 3 },
              { value: 'VP Marketing', weight: 1 },
            ],
          },
        },
      },
    });
    expect(big.nodes['pricing-intent']!.handoff!.entered).toBe(big.nodes['pricing-intent']!.fit!.entered);
  });

  it('has contacts do events at the rates the user sets, the trigger included', async () => {
    const never = await simulateSynthetic({
      ...pricing,
      contacts: 100,
      seed: 5,
      population: { events: { 'Page Viewed': { perWeek: 0 } } },
    });
    expect(never.nodes['pricing-intent']?.fit?.entered ?? 0).toBe(0);

    // Twice a week for 30 days: nearly every contact views the pricing page (and enters) at least once.
    const often = await simulateSynthetic({
      ...pricing,
      contacts: 100,
      seed: 5,
      population: { events: { 'Page Viewed': { perWeek: 2, properties: { path: '/pricing' } } } },
    });
    expect(often.nodes['pricing-intent']!.fit!.entered).toBeGreaterThanOrEqual(98);
    expect(often.timing.events).toBeGreaterThan(100 * 2 * 4); // ~8.6 views per contact, plus the identifies
  });

  it('has reps answer as the user sets: never, or always and fast', async () => {
    const base = { ...pricing, contacts: 300, seed: 11 };
    const never = await simulateSynthetic({ ...base, population: { reps: { acceptRate: 0 } } });
    expect(never.handoffs.created).toBeGreaterThan(0);
    expect(never.handoffs.accepted).toBe(0);

    const usual = await simulateSynthetic(base);
    const fast = await simulateSynthetic({ ...base, population: { reps: { acceptRate: 1, acceptHours: 0.05 } } });
    expect(fast.handoffs.accepted / fast.handoffs.created).toBeGreaterThan(
      usual.handoffs.accepted / usual.handoffs.created,
    );
    expect(fast.handoffs.breached).toBeLessThan(usual.handoffs.breached);
  });

  it('refuses a population model it cannot use, saying where', async () => {
    await expect(
      simulateSynthetic({
        ...pricing,
        contacts: 10,
        seed: 1,
        population: { traits: { employees: { uniform: { min: 50, max: 5 } } } },
      }),
    ).rejects.toThrow(/traits\.employees\.uniform\.max.*min must not be above max/);
    await expect(
      simulateSynthetic({ ...pricing, contacts: 10, seed: 1, population: { reps: { acceptRate: 2 } } }),
    ).rejects.toThrow(/reps\.acceptRate/);
    await expect(
      simulateSynthetic({
        ...pricing,
        contacts: 10,
        seed: 1,
        population: { events: { 'Page Viewed': { perWek: 2 } } },
      }),
    ).rejects.toThrow(/perWek/);
  });

  it('reports every contact, those whose identify entered a journey and those who only waited for their trigger', async () => {
    // The identify is this journey's trigger: it enters at once, and must not be put off like an idle
    // contact's identify (which is applied again just before the contact's next event).
    const welcome = {
      schema: 'baton.journey/v1',
      id: 'welcome',
      name: 'Welcome',
      trigger: { event: 'Contact Updated' },
      reentry: 'never',
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'action', action: 'email', params: { template: 'hello' }, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'completed' },
      ],
    };
    const r = await simulateSynthetic({ ...pricing, journeys: [welcome, ...pricing.journeys], contacts: 120, seed: 4 });
    expect(r.nodes.welcome!.hello!.entered).toBe(120);
    const entries = Object.entries(r.contacts);
    expect(entries.map(([id]) => id)).toEqual(
      Array.from({ length: 120 }, (_, i) => `synthetic-${i + 1}`).sort((a, b) => (a < b ? -1 : 1)),
    );
    for (const [, c] of entries) {
      expect(c.journeys.welcome).toMatchObject({ status: 'exited', outcome: 'completed', path: ['hello', 'done'] });
      expect(c.journeys.welcome!.messages[0]!.at).toBe('2026-01-05T08:00:00Z');
    }
    expect(entries.filter(([, c]) => c.journeys['pricing-intent']).length).toBeGreaterThan(80);
  });

  it('refuses a population that is not a whole number', async () => {
    await expect(simulateSynthetic({ ...pricing, contacts: 0, seed: 1 })).rejects.toThrow('--contacts');
  });
});
