import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Team, newDesk, pickFromQueue, routeHandoff, type DeskState, type RoutingView } from '../src/internal.ts';
import { T0, env } from './helpers.ts';

const team = Team.parse({
  calendars: { berlin: { timezone: 'Europe/Berlin', hours: { mon: ['09:00', '17:00'], tue: ['09:00', '17:00'] } } },
  reps: [
    { id: 'ana', name: 'Ana', weight: 2, capacity: 2 },
    { id: 'bo', name: 'Bo', active: false },
    { id: 'cy', name: 'Cy', weight: 1, calendar: 'berlin' },
    { id: 'di', name: 'Di', weight: 3 },
  ],
  queues: [
    { id: 'emea-ae', members: ['ana', 'bo', 'cy'], strategy: 'round_robin' },
    { id: 'weighted', members: ['ana', 'cy', 'di'], strategy: 'weighted' },
    { id: 'least', members: ['ana', 'cy', 'di'], strategy: 'least_loaded' },
    { id: 'hours', members: ['cy'], respectHours: true },
    { id: 'managers', members: ['di'] },
  ],
});

function view(loads: Record<string, number> = {}, desk: DeskState = newDesk(), now = T0): RoutingView {
  return { team, desk, now, load: (rep) => loads[rep] ?? 0 };
}

describe('routing a handoff', () => {
  it('tries the owner first and explains why it moved on to the queue', () => {
    const r = routeHandoff(
      view(),
      [{ to: { owner: 'contact.ownerId' } }, { to: { queue: 'emea-ae' } }],
      undefined,
      env({ traits: { ownerId: 'bo' } }),
    );
    expect(r.assignee).toBe('ana');
    expect(r.queue).toBe('emea-ae');
    expect(r.trace).toEqual(['rule 1 owner: bo unavailable (inactive)', 'rule 2 queue emea-ae: ana (round robin)']);
  });

  it('skips rules whose condition does not hold and reps at capacity', () => {
    const r = routeHandoff(
      view({ ana: 2 }),
      [{ when: { field: 'contact.region', op: 'eq', value: 'EMEA' }, to: { rep: 'di' } }, { to: { rep: 'ana' } }],
      { queue: 'managers' },
      env({ traits: { region: 'NA' } }),
    );
    expect(r).toMatchObject({ assignee: 'di', queue: 'managers' });
    expect(r.trace).toEqual([
      'rule 1: condition does not hold',
      'rule 2 rep ana unavailable (at capacity 2/2)',
      'fallback queue managers: di (round robin)',
    ]);
  });

  it('leaves the handoff unassigned in the last queue named when nobody is available', () => {
    // 22:00 Berlin: cy, the only member of a queue that respects hours, is off.
    const night = routeHandoff(
      view({}, newDesk(), Date.parse('2026-11-23T22:00:00Z')),
      [{ to: { queue: 'hours' } }],
      undefined,
      env({}),
    );
    expect(night).toMatchObject({ assignee: null, queue: 'hours' });
    expect(night.trace.at(-1)).toBe('unassigned: waits in queue hours');
  });

  it('goes round robin in member order, skipping who is unavailable, and keeps its cursor', () => {
    let desk = newDesk();
    const picks: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = routeHandoff(view({}, desk), [{ to: { queue: 'emea-ae' } }], undefined, env({}));
      picks.push(r.assignee!);
      desk = r.desk;
    }
    expect(picks).toEqual(['ana', 'cy', 'ana', 'cy']);
    expect(desk.cursors['emea-ae']!.last).toBe(2);
  });

  it('weights smoothly as nginx does: 2:1:3 gives di, ana, cy, di, ana, di', () => {
    let desk = newDesk();
    const picks: string[] = [];
    const queue = team.queues.find((q) => q.id === 'weighted')!;
    for (let i = 0; i < 6; i++) {
      const pick = pickFromQueue(view({}, desk), queue);
      picks.push(pick.rep!);
      desk = { ...desk, cursors: { ...desk.cursors, weighted: pick.cursor } };
    }
    expect(picks).toEqual(['di', 'ana', 'cy', 'di', 'ana', 'di']);
  });

  it('picks the least loaded rep, ties by member order', () => {
    const queue = team.queues.find((q) => q.id === 'least')!;
    expect(pickFromQueue(view({ ana: 1, cy: 1, di: 0 }), queue).rep).toBe('di');
    expect(pickFromQueue(view({ ana: 1, cy: 0, di: 0 }), queue).rep).toBe('cy');
  });

  it('never gives a handoff to a rep who rejected it', () => {
    const r = routeHandoff(view(), [{ to: { queue: 'emea-ae' } }], undefined, env({}), new Set(['ana']));
    expect(r.assignee).toBe('cy');
  });
});

describe('routing properties', () => {
  const arrivals = fc.array(fc.subarray(['ana', 'cy', 'di'], { minLength: 1 }), { minLength: 60, maxLength: 60 });

  it('converges to the weights over random sequences of who is available (weighted)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), (rounds) => {
        // With everybody available, every window of 6 picks matches the weights 2:1:3 exactly.
        const queue = team.queues.find((q) => q.id === 'weighted')!;
        let desk = newDesk();
        const counts: Record<string, number> = { ana: 0, cy: 0, di: 0 };
        for (let i = 0; i < rounds * 6; i++) {
          const pick = pickFromQueue(view({}, desk), queue);
          counts[pick.rep!]!++;
          desk = { ...desk, cursors: { weighted: pick.cursor } };
        }
        expect(counts).toEqual({ ana: 2 * rounds, cy: rounds, di: 3 * rounds });
      }),
    );
  });

  it('weights only the available members, and returns to the exact weights once everyone is back (weighted)', () => {
    fc.assert(
      fc.property(arrivals, (sequence) => {
        const queue = team.queues.find((q) => q.id === 'weighted')!;
        let desk = newDesk();
        for (const availableNow of sequence) {
          const loads = Object.fromEntries(['ana', 'cy', 'di'].map((r) => [r, availableNow.includes(r) ? 0 : 99]));
          const t = Team.parse({ ...team, reps: team.reps.map((r) => ({ ...r, capacity: 99 })) });
          const pick = pickFromQueue({ team: t, desk, now: T0, load: (r) => loads[r] ?? 0 }, queue);
          expect(availableNow).toContain(pick.rep);
          desk = { ...desk, cursors: { weighted: pick.cursor } };
        }
        // After any history, 60 picks with everybody available split 2:1:3 within two picks (the carried-over current weights).
        const counts: Record<string, number> = { ana: 0, cy: 0, di: 0 };
        for (let i = 0; i < 60; i++) {
          const pick = pickFromQueue(view({}, desk), queue);
          counts[pick.rep!]!++;
          desk = { ...desk, cursors: { weighted: pick.cursor } };
        }
        expect(Math.abs(counts.ana! - 20)).toBeLessThanOrEqual(2);
        expect(Math.abs(counts.cy! - 10)).toBeLessThanOrEqual(2);
        expect(Math.abs(counts.di! - 30)).toBeLessThanOrEqual(2);
      }),
      { numRuns: 300 },
    );
  });

  it('shares round robin equally and only among available members', () => {
    fc.assert(
      fc.property(arrivals, (sequence) => {
        const queue = { id: 'rr', members: ['ana', 'cy', 'di'], strategy: 'round_robin' as const, respectHours: false };
        let desk = newDesk();
        const counts: Record<string, number> = { ana: 0, cy: 0, di: 0 };
        for (const availableNow of sequence) {
          const loads = Object.fromEntries(['ana', 'cy', 'di'].map((r) => [r, availableNow.includes(r) ? 0 : 99]));
          const t = Team.parse({
            reps: ['ana', 'cy', 'di'].map((id) => ({ id, name: id, capacity: 99 })),
            queues: [queue],
          });
          const pick = pickFromQueue({ team: t, desk, now: T0, load: (r) => loads[r]! }, t.queues[0]!);
          expect(availableNow).toContain(pick.rep);
          counts[pick.rep!]!++;
          desk = { ...desk, cursors: { rr: pick.cursor } };
        }
        // Always available members never fall more than one behind each other.
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(sequence.length);
      }),
    );
    // With everybody available, the shares are exactly equal.
    let desk = newDesk();
    const counts: Record<string, number> = { ana: 0, cy: 0, di: 0 };
    const all = Team.parse({
      reps: ['ana', 'cy', 'di'].map((id) => ({ id, name: id })),
      queues: [{ id: 'rr', members: ['ana', 'cy', 'di'] }],
    });
    for (let i = 0; i < 300; i++) {
      const pick = pickFromQueue({ team: all, desk, now: T0, load: () => 0 }, all.queues[0]!);
      counts[pick.rep!]!++;
      desk = { ...desk, cursors: { rr: pick.cursor } };
    }
    expect(counts).toEqual({ ana: 100, cy: 100, di: 100 });
  });

  it('is deterministic: the same inputs route the same way', () => {
    fc.assert(
      fc.property(
        fc.record({ ana: fc.nat(3), cy: fc.nat(3), di: fc.nat(3) }),
        fc.constantFrom('emea-ae', 'weighted', 'least'),
        fc.option(fc.constantFrom('ana', 'cy', 'di')),
        (loads, queue, owner) => {
          const e = env({ traits: owner ? { ownerId: owner } : {} });
          const rules = [{ to: { owner: 'contact.ownerId' } }, { to: { queue } }];
          expect(routeHandoff(view(loads), rules, { queue: 'managers' }, e)).toEqual(
            routeHandoff(view(loads), rules, { queue: 'managers' }, e),
          );
        },
      ),
    );
  });
});
