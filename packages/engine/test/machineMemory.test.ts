import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Journey, compileJourney, type CompiledJourney, type EvalEnv, type HistoryEvent } from '../src/internal.ts';
import { stepMachine, xstateStep } from '../src/step/machine.ts';
import { benchJourney } from '../bench/journey.ts';
import { DAY, T0 } from './helpers.ts';

const examplesDir = new URL('../../../examples/', import.meta.url);
const journeys: [string, unknown][] = [
  ...readdirSync(examplesDir)
    .filter((name) => existsSync(new URL(`${name}/journey.json`, examplesDir)))
    .map((name): [string, unknown] => [
      name,
      JSON.parse(readFileSync(new URL(`${name}/journey.json`, examplesDir), 'utf8')),
    ]),
  ['bench', benchJourney],
];

/** Every field, value and event name a journey's conditions mention: what makes its guards answer both ways. */
function vocabulary(journey: unknown) {
  const fields = new Set<string>();
  const values = new Set<unknown>([0, 1, 50, 1000, 'x', true, false]);
  const events = new Set<string>(['Something Else']);
  const outcomes = new Set<string>(['not_declared']);
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x === null || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (typeof o.field === 'string') fields.add(o.field);
    if ('value' in o && (typeof o.value !== 'object' || o.value === null)) values.add(o.value);
    if (Array.isArray(o.value)) o.value.forEach((v) => values.add(v));
    if (typeof o.event === 'string') events.add(o.event);
    if (o.outcomes && typeof o.outcomes === 'object') Object.keys(o.outcomes).forEach((k) => outcomes.add(k));
    Object.values(o).forEach(walk);
  };
  walk(journey);
  return { fields: [...fields], values: [...values], events: [...events], outcomes: [...outcomes] };
}

/** A machine event with an arbitrary contact, built from the journey's own vocabulary. */
function machineEvents(compiled: CompiledJourney) {
  const { fields, values, events, outcomes } = vocabulary(compiled.journey);
  const states = compiled.config.states as Record<string, { on?: Record<string, unknown> }>;
  const types = new Set<string>(['baton.enter', 'baton.continue', ...events]);
  for (const state of Object.values(states)) for (const type of Object.keys(state.on ?? {})) types.add(type);
  const value = fc.constantFrom(...values);
  const traits = fc.dictionary(
    fc.constantFrom(...fields.filter((f) => f.startsWith('contact.')).map((f) => f.slice(8)), 'other'),
    value,
  );
  const historyEvent = fc.record({
    name: fc.constantFrom(...events),
    at: fc.integer({ min: T0 - 30 * DAY, max: T0 }),
    properties: fc.constant({}),
  });
  return fc
    .record({
      value: fc.constantFrom(...Object.keys(states)),
      type: fc.constantFrom(...types),
      contactId: fc.string({ minLength: 1, maxLength: 6 }),
      traits,
      history: fc.array(historyEvent, { maxLength: 8 }).map((h) => h.sort((a, b) => a.at - b.at)),
      score: value,
      properties: fc.dictionary(
        fc.constantFrom(...fields.filter((f) => f.startsWith('event.properties.')).map((f) => f.slice(17)), 'other'),
        value,
      ),
      outcome: fc.option(fc.constantFrom(...outcomes), { nil: undefined }),
    })
    .map((x) => {
      const env: EvalEnv = {
        contactId: x.contactId,
        traits: x.traits,
        history: x.history as HistoryEvent[],
        now: T0,
        event: { name: x.type, properties: x.properties },
        score: () => (typeof x.score === 'number' ? x.score : undefined),
      };
      return {
        persisted: { status: 'active', value: x.value },
        event: { type: x.type, env, journeyId: compiled.journey.id, ...(x.outcome ? { outcome: x.outcome } : {}) },
      };
    });
}

describe('remembered machine steps', () => {
  for (const [name, raw] of journeys) {
    it(`answer exactly as XState does for ${name}, whatever the state, event and contact`, () => {
      const compiled = compileJourney(Journey.parse(raw));
      let changed = 0;
      fc.assert(
        fc.property(fc.array(machineEvents(compiled), { minLength: 1, maxLength: 30 }), (steps) => {
          for (const { persisted, event } of steps) {
            const remembered = stepMachine(compiled, persisted, event);
            expect(remembered).toEqual(xstateStep(compiled, persisted, event));
            if (!remembered.unchanged) changed++;
          }
        }),
        { numRuns: 200 },
      );
      // The property saw real transitions, not only events no state listens to.
      expect(changed).toBeGreaterThan(200);
    });
  }

  it("asks the guards again for every contact: a remembered branch does not leak one contact's answer to another", () => {
    const compiled = compileJourney(Journey.parse(benchJourney));
    const enter = (employees: number) =>
      stepMachine(
        compiled,
        { status: 'active', value: '$trigger' },
        {
          type: 'baton.enter',
          journeyId: 'bench',
          env: { contactId: 'c', traits: { employees }, history: [], now: T0, score: () => undefined },
        },
      );
    const template = (step: ReturnType<typeof enter>) =>
      step.unchanged
        ? null
        : step.actions.map((a) => (a.params as { params?: { template?: string } }).params?.template).find(Boolean);
    const big = enter(500);
    const small = enter(5);
    expect(template(big)).toBe('vip');
    expect(template(small)).toBe('std');
    expect(enter(500)).toBe(big); // the same answers give XState's remembered step itself
    expect(enter(6)).toBe(small);
  });
});

describe('a guard that throws', () => {
  it("is not remembered: the next contact gets XState's own answer", () => {
    const compiled = compileJourney(Journey.parse(benchJourney));
    // At `tag` (an update_contact action), baton.continue leads to the `intent` branch, which reads score.intent.
    const at = { status: 'active', value: 'tag' };
    const event = (score: () => number | undefined) => ({
      type: 'baton.continue',
      journeyId: 'bench',
      env: { contactId: 'c', traits: {}, history: [], now: T0, score },
    });
    expect(() =>
      stepMachine(
        compiled,
        at,
        event(() => {
          throw new Error('score store down');
        }),
      ),
    ).toThrow('score store down');
    const hot = event(() => 90);
    expect(stepMachine(compiled, at, hot)).toEqual(xstateStep(compiled, at, hot));
    const cold = event(() => 0);
    expect(stepMachine(compiled, at, cold)).toEqual(xstateStep(compiled, at, cold));
  });
});
