import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSynthetic } from '../src/index.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
const pricing = { journeys: [read('pricing-intent/journey.json')], team: read('pricing-intent/team.json'), workspace: read('pricing-intent/workspace.json') };

describe('synthetic simulation', () => {
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
    expect(r.timing).toMatchObject({ contacts: 300, seed: 7, from: '2026-01-05T08:00:00Z', until: '2026-02-04T08:00:00Z' });
    expect(Object.keys(r.contacts)).toHaveLength(300);
    const titles = Object.values(r.contacts).flatMap((c) => c.journeys['pricing-intent']?.handoffs ?? []).map((h) => h.title);
    expect(titles.every((t) => /^Pricing intent: Company \d+$/.test(String(t)))).toBe(true);
  });

  it('refuses a population that is not a whole number', async () => {
    await expect(simulateSynthetic({ ...pricing, contacts: 0, seed: 1 })).rejects.toThrow('--contacts');
  });
});
