import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Population } from '../src/model/population.ts';
import { Team } from '../src/model/team.ts';
import { Workspace } from '../src/model/workspace.ts';
import { Journey } from '../src/nodes/journey.ts';
import { syntheticPopulation } from '../src/sim/population.ts';
import { seededRandom } from '../src/sim/random.ts';
import { syntheticPopulation as reference } from './reference/syntheticPopulation.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
const START = Date.parse('2026-01-05T08:00:00Z');

const cases = [
  {
    name: 'pricing intent',
    journeys: ['pricing-intent/journey.json'],
    team: 'pricing-intent/team.json',
    workspace: 'pricing-intent/workspace.json',
  },
  {
    name: 'trial nurture (score events)',
    journeys: ['trial-nurture/journey.json'],
    workspace: 'trial-nurture/workspace.json',
  },
  {
    name: 'adoption stall (a pause) and NPS',
    journeys: ['adoption-stall/journey.json', 'nps-detractor/journey.json'],
    team: 'nps-detractor/team.json',
  },
  {
    name: 'pricing intent at set rates and traits',
    journeys: ['pricing-intent/journey.json'],
    team: 'pricing-intent/team.json',
    workspace: 'pricing-intent/workspace.json',
    population: {
      traits: { employees: { normal: { mean: 600, sd: 200 } } },
      events: { 'Page Viewed': { perWeek: 3, properties: { path: '/pricing' } }, 'Demo Requested': { perWeek: 0.5 } },
    },
  },
];

describe('synthetic population schedule', () => {
  it.each(cases)('draws the same events, in the same order, as the population made up front: $name', (c) => {
    const journeys = c.journeys.map((f) => Journey.parse(read(f)));
    const team = c.team === undefined ? undefined : Team.parse(read(c.team));
    const workspace = Workspace.parse(c.workspace === undefined ? {} : read(c.workspace));
    const model = Population.parse(c.population ?? {});
    for (const [contacts, seed] of [
      [1, 1],
      [57, 2],
      [500, 9],
    ] as const) {
      const random = seededRandom(seed);
      const schedule = syntheticPopulation(journeys, team, workspace, contacts, START, 30, random, model);
      const expectedRandom = seededRandom(seed);
      const expected = reference(journeys, team, workspace, contacts, START, 30, expectedRandom, model);
      expect(schedule.length).toBe(expected.length);
      const events = Array.from({ length: schedule.length }, (_, k) => schedule.event(k));
      expect(events).toEqual(expected);
      // Drawn again, the same; and what follows the population in the generator is the same too.
      expect(schedule.event(schedule.length - 1)).toEqual(expected[expected.length - 1]);
      expect([random(), random()]).toEqual([expectedRandom(), expectedRandom()]);
      expect(events.map((_, k) => schedule.isIdentify(k))).toEqual(expected.map((e) => e.type === 'identify'));
    }
  });

  it('draws traits named like Object.prototype as own keys of ordinary objects', () => {
    const model = Population.parse({
      traits: Object.fromEntries([
        ['__proto__', { oneOf: [{ value: 'kept' }] }],
        ['toString', { oneOf: [{ value: 'fit' }] }],
      ]),
    });
    const journeys = [Journey.parse(read('pricing-intent/journey.json'))];
    const schedule = syntheticPopulation(
      journeys,
      undefined,
      Workspace.parse({}),
      3,
      START,
      30,
      seededRandom(1),
      model,
    );
    const first = schedule.event(0);
    if (first.type !== 'identify') throw new Error('the first event is the identify');
    expect(Object.getPrototypeOf(first.traits)).toBe(Object.prototype);
    expect(Object.hasOwn(first.traits, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(first.traits, '__proto__')?.value).toBe('kept');
    expect(first.traits.toString).toBe('fit');
    expect(JSON.stringify(first.traits)).toContain('"__proto__":"kept"');
  });
});
