import { createMachine, initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { Journey, compileJourney, machineConfig, nodeIdOfKey, stateKey } from '../src/internal.ts';
import { env, journey } from './helpers.ts';

const j = Journey.parse(
  journey([
    {
      id: 'fit',
      type: 'branch',
      paths: [{ label: 'Big', when: { field: 'contact.employees', op: 'gte', value: 200 }, next: 'v1.wait' }],
      otherwise: 'done',
    },
    { id: 'v1.wait', type: 'wait', duration: 'P2D', next: 'ask' },
    { id: 'ask', type: 'pause', until: { event: 'Replied' }, timeout: 'P1D', next: 'done', onTimeout: 'done' },
    { id: 'done', type: 'exit', outcome: 'completed' },
  ]),
);

describe('compileJourney', () => {
  it('gives one state per node plus the trigger, with ports as transitions', () => {
    const config = machineConfig(j) as { initial: string; states: Record<string, Record<string, unknown>> };
    expect(Object.keys(config.states)).toEqual(['$trigger', 'fit', 'v1%2Ewait', 'ask', 'done']);
    expect(config.states.ask!.on).toMatchObject({
      Replied: { target: 'done' },
      'baton.timer.timeout': { target: 'done' },
    });
    expect(config.states.done!.type).toBe('final');
  });

  it("is plain JSON that XState itself accepts (as Stately's visualizer would)", () => {
    const config = JSON.parse(JSON.stringify(compileJourney(j).config));
    const machine = createMachine(config);
    const [s0] = initialTransition(machine);
    expect(s0.value).toBe('$trigger');
    expect(Object.keys(machine.states)).toEqual(['$trigger', 'fit', 'v1%2Ewait', 'ask', 'done']);
  });

  it("runs through XState's pure transition and returns effects as actions", () => {
    const { machine } = compileJourney(j);
    const [s0] = initialTransition(machine);
    const [s1, actions] = transition(machine, s0, { type: 'baton.enter', env: env({ traits: { employees: 500 } }) });
    expect(s1.value).toBe(stateKey('v1.wait'));
    expect(actions.map((a) => a.type)).toEqual(['baton.enter', 'baton.took', 'baton.enter', 'baton.schedule']);
    expect(nodeIdOfKey(s1.value as string)).toBe('v1.wait');
  });
});
