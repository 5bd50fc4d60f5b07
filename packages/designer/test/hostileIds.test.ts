import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE, PROTOTYPE_NAMES, hostileJourney } from '../../engine/test/hostileIds.ts';
import { layoutJourney, toCanvas, toJourney, type DraftJourney } from '../src/model/index.ts';
import { newPopulationForm, populationModel } from '../src/sim/population.ts';

afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(PROTOTYPE_NAMES);
  expect(({} as { __proto__: unknown }).__proto__).toBe(Object.prototype);
});

describe('node ids and trait names that name members of Object.prototype, in the designer', () => {
  it('keep their positions from journey to canvas and back, and get a fallback where they have none', () => {
    const journey = JSON.parse(JSON.stringify(hostileJourney('__proto__'))) as DraftJourney;
    const canvas = toCanvas(journey, () => ({ x: -1, y: -1 }));
    expect(canvas.nodes.map((n) => [n.id, n.position])).toEqual([
      ['$trigger', { x: -1, y: -1 }],
      ['constructor', { x: 200, y: 0 }],
      ['__proto__', { x: 0, y: 0 }],
      ['toString', { x: 600, y: 0 }],
      ['hasOwnProperty', { x: 800, y: 0 }],
      ['prototype', { x: 400, y: 0 }],
    ]);
    const back = JSON.parse(JSON.stringify(toJourney(canvas)));
    expect(Object.keys(back.ui.positions)).toEqual([
      '$trigger',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'prototype',
    ]);
    expect(back.nodes).toEqual(journey.nodes);

    const unplaced = toCanvas({ ...journey, ui: {} }, () => ({ x: 7, y: 7 }));
    expect(unplaced.nodes.every((n) => n.position.x === 7)).toBe(true);
    expect(Object.keys(layoutJourney(journey)).sort()).toEqual(['$trigger', ...HOSTILE].sort());
  });

  it('build a population whose traits and events are named like them', () => {
    const form = newPopulationForm(['__proto__', 'toString'], ['constructor']);
    form.traits = form.traits.map((t) => ({ ...t, text: 'a, b' }));
    form.events = form.events.map((e) => ({ ...e, perWeek: '2' }));
    const result = populationModel(form);
    expect('model' in result && JSON.stringify(result.model)).toContain('"traits":{"__proto__":{"oneOf":');
    expect('model' in result && Object.keys(result.model.events)).toEqual(['constructor']);
  });
});
