import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conditionTraits, newPopulationForm, parseTrait, populationModel } from '../src/sim/population.ts';
import type { DraftJourney } from '../src/model/index.ts';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));

describe('the population form', () => {
  it('offers a row for each trait the conditions and score rules read', () => {
    const journey = read('pricing-intent/journey.json') as DraftJourney;
    expect(conditionTraits(journey, read('pricing-intent/workspace.json'))).toEqual(['employees', 'region', 'title']);
  });

  it('reads ranges, normal spreads and weighted values', () => {
    expect(parseTrait('100-5000')).toEqual({ uniform: { min: 100, max: 5000 } });
    expect(parseTrait(' ~900 ± 200 ')).toEqual({ normal: { mean: 900, sd: 200 } });
    expect(parseTrait('VP Sales:3, Engineer, 42, true')).toEqual({
      oneOf: [
        { value: 'VP Sales', weight: 3 },
        { value: 'Engineer', weight: 1 },
        { value: 42, weight: 1 },
        { value: true, weight: 1 },
      ],
    });
    expect(parseTrait(' , ')).toMatch(/give values/);
    expect(parseTrait('EMEA:0')).toMatch(/weight of "EMEA" must be above 0/);
  });

  it('leaves blank rows to the engine and gives the engine its Population', () => {
    const form = newPopulationForm(['employees', 'region'], ['Page Viewed']);
    expect(populationModel(form)).toEqual({
      model: { traits: {}, events: {}, reps: { acceptRate: 0.9, acceptHours: 3, outcomeHours: 24 } },
    });
    form.traits[0]!.text = '500-5000';
    form.events[0]!.perWeek = '2';
    form.reps.acceptPercent = '50';
    expect(populationModel(form)).toEqual({
      model: {
        traits: { employees: { uniform: { min: 500, max: 5000 } } },
        events: { 'Page Viewed': { perWeek: 2, properties: {} } },
        reps: { acceptRate: 0.5, acceptHours: 3, outcomeHours: 24 },
      },
    });
  });

  it('names every row that is wrong', () => {
    const form = newPopulationForm(['employees'], ['Page Viewed']);
    form.traits[0]!.text = '5000-500';
    form.events[0]!.perWeek = 'lots';
    form.reps.acceptPercent = '150';
    form.reps.outcomeHours = '0';
    const r = populationModel(form);
    expect('problems' in r && r.problems).toEqual([
      'accepted %: must be a number from 0 to 100',
      'employees: min must not be above max',
      'Page Viewed: must be a number',
      'hours to outcome: must be more than 0',
    ]);
  });
});
