import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContactSpool, runSynthetic, simulateSynthetic, type ContactEntry } from '../src/internal.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
const pricing = {
  journeys: [read('pricing-intent/journey.json')],
  team: read('pricing-intent/team.json'),
  workspace: read('pricing-intent/workspace.json'),
};

describe("a synthetic run's contacts kept in a spool (what baton simulate writes)", () => {
  it('reads back the report simulateSynthetic gives, entry for entry and in its order', async () => {
    const whole = await simulateSynthetic({ ...pricing, contacts: 1_200, seed: 5 });
    const spool = new ContactSpool(1_200);
    const finished: number[] = [];
    const rest = await runSynthetic({ ...pricing, contacts: 1_200, seed: 5 }, (i, journeys) => {
      finished.push(i);
      spool.add(i, journeys);
    });
    // Contacts are handed over as they finish, not in id order: the spool puts them back in it.
    expect(finished).not.toEqual([...finished].sort((a, b) => a - b));
    const spooled = [...spool.inIdOrder()];
    expect(spooled.map(([id]) => id)).toEqual(Object.keys(whole.contacts));
    expect(Object.fromEntries(spooled)).toEqual({ ...whole.contacts });
    expect(rest).toEqual({
      nodes: whole.nodes,
      handoffs: whole.handoffs,
      refused: whole.refused,
      timing: whole.timing,
    });
  });

  it('keeps entries past one chunk, non-ASCII text and hostile journey ids as they were given', () => {
    const spool = new ContactSpool(3);
    const entry = (note: string): ContactEntry['journeys'] =>
      JSON.parse(
        `{"__proto__":{"status":"exited","version":1,"outcome":"${note}","path":["fit → won ≥ 70"],"handoffs":[],"messages":[]}}`,
      );
    const big = 'x'.repeat((1 << 24) + 10); // larger than a chunk: it gets one of its own
    spool.add(2, entry('ünïcode 🎉'));
    spool.add(0, entry(big));
    spool.add(2, entry('later')); // a contact reported again: the later entry stands
    expect(spool.entry(1)).toBeUndefined();
    const back = [...spool.inIdOrder()];
    expect(back.map(([id]) => id)).toEqual(['synthetic-1', 'synthetic-3']);
    const first = back[0]![1].journeys;
    expect(Object.hasOwn(first, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(first.__proto__?.outcome).toBe(big);
    expect(back[1]![1].journeys.__proto__).toMatchObject({ outcome: 'later', path: ['fit → won ≥ 70'] });
  });
});
