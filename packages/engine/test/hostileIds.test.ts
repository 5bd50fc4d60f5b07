import { afterEach, describe, expect, it } from 'vitest';
import {
  BatonError,
  Script,
  advanceTo,
  handoffReport,
  parseInstant,
  simulateScript,
  simulateSynthetic,
  simulationWorld,
  type SimulationWorld,
} from '../src/internal.ts';
import {
  HOSTILE,
  PROTOTYPE_NAMES,
  endOf,
  hostileJourney,
  hostileScores,
  hostileScript,
  hostileTeam,
  outcomeFor,
} from './hostileIds.ts';

const input = () => ({
  journeys: HOSTILE.map(hostileJourney),
  team: hostileTeam(),
  workspace: { scores: hostileScores() },
});
const sorted = [...HOSTILE].sort();
/** Entries of a node in a report's counts (typed by a plain string: `nodes.constructor` would type as Object's). */
const entered = (nodes: Record<string, { entered: number }>, node: string) => nodes[node]?.entered;

/** Runs the script's steps in a world whose store the test can read (simulateScript keeps its own). */
async function runScript(world: SimulationWorld, raw: unknown): Promise<number> {
  const script = Script.parse(raw);
  for (const c of script.contacts)
    await world.runtime.ingest({ type: 'identify', userId: c.id, traits: c.traits, timestamp: script.start });
  let refused = 0;
  for (const step of script.steps) {
    await advanceTo(world, parseInstant(step.at));
    try {
      if (step.track) await world.runtime.ingest({ type: 'track', ...step.track, timestamp: step.at });
      else if (step.accept) await world.runtime.accept(step.accept);
      else if (step.outcome) await world.runtime.logOutcome(step.outcome);
      else if (step.setRep) await world.runtime.setRep(step.setRep.id, step.setRep);
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      refused++;
    }
  }
  await advanceTo(world, parseInstant(script.until));
  return refused;
}

afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(PROTOTYPE_NAMES);
  expect(({} as { __proto__: unknown }).__proto__).toBe(Object.prototype);
});

describe('ids that name members of Object.prototype', () => {
  it('run through a scripted simulation, and the report keys every contact, journey and node by its own id', async () => {
    const report = await simulateScript({ ...input(), script: hostileScript() });
    expect(Object.keys(report.contacts)).toEqual(sorted);
    HOSTILE.forEach((contact, i) => {
      const journeys = report.contacts[contact]!.journeys;
      expect(Object.keys(journeys)).toEqual(sorted);
      HOSTILE.forEach((journey, j) => {
        const end = endOf(outcomeFor(i, j));
        const entry = journeys[journey]!;
        expect(entry).toMatchObject({
          status: 'exited',
          outcome: end.outcome,
          path: ['constructor', '__proto__', 'toString', end.node],
        });
        expect(entry.handoffs).toHaveLength(1);
        expect(entry.handoffs[0]).toMatchObject({ node: 'toString', outcome: outcomeFor(i, j), title: 'Lead fit' });
        const h = entry.handoffs[0]!;
        if (h.escalatedTo === null) expect(h.assignee).not.toBe('__proto__'); // inactive while the handoffs were first routed
      });
    });
    for (const journey of HOSTILE) {
      const nodes = report.nodes[journey]!;
      expect(Object.keys(nodes)).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString']));
      expect(['constructor', '__proto__', 'toString'].map((n) => entered(nodes, n))).toEqual([5, 5, 5]);
      expect((entered(nodes, 'hasOwnProperty') ?? 0) + (entered(nodes, 'prototype') ?? 0)).toBe(5);
    }
    expect(report.handoffs.created).toBe(25);
    expect(report.refused).toEqual([
      { step: 12, error: expect.stringContaining('outcome "valueOf" is not one of the outcomes of toString/toString') },
    ]);
    // As JSON, `__proto__` is a key like any other.
    const text = JSON.stringify(report);
    expect(text).toContain('"contacts":{"__proto__":{"journeys":{"__proto__":{"status":"exited"');
    expect(text).toContain('"nodes":{"__proto__":{"constructor":{"entered":5},"__proto__":{"entered":5}');
    expect(JSON.parse(text)).toEqual(report);
  });

  it('report handoffs per journey, node, queue and rep, with outcomes and flow keyed by those ids', async () => {
    const world = simulationWorld(input(), parseInstant('2026-11-20T08:00:00Z'));
    expect(await runScript(world, hostileScript())).toBe(1);
    const report = handoffReport(await world.store.contacts());
    expect(report.total).toMatchObject({ handoffs: 25, open: 0 });
    expect(Object.keys(report.journeys)).toEqual(sorted);
    for (const journey of HOSTILE) {
      expect(report.journeys[journey]).toMatchObject({ handoffs: 5, converted: 2 });
      expect(Object.keys(report.journeys[journey]!.outcomes).sort()).toEqual(sorted);
      expect(Object.values(report.journeys[journey]!.outcomes)).toEqual([1, 1, 1, 1, 1]);
      expect(report.nodes[`${journey}/toString`]).toMatchObject({ handoffs: 5 });
      expect(Object.keys(report.flow[journey]!)).toEqual(
        expect.arrayContaining(['constructor', '__proto__', 'toString']),
      );
      expect(report.flow[journey]!.toString).toEqual({ entered: 5, current: 0, exited: 5, converted: 2 });
      expect(report.flow[journey]!.__proto__).toEqual({ entered: 5, current: 0, exited: 5, converted: 2 });
    }
    expect(Object.keys(report.queues).every((q) => (HOSTILE as readonly string[]).includes(q))).toBe(true);
    expect(Object.values(report.queues).reduce((n, s) => n + s.handoffs, 0)).toBe(25);
    expect(Object.values(report.reps).reduce((n, s) => n + s.handoffs, 0)).toBe(25);
    expect(handoffReport(await world.store.contacts(), { journey: '__proto__' }).total.handoffs).toBe(5);
    expect(JSON.stringify(report)).toContain(
      '"flow":{"__proto__":{"constructor":{"entered":5,"current":0,"exited":5,"converted":2},"__proto__":',
    );
  });

  it('run through a synthetic simulation with trait distributions named like them', async () => {
    const population = {
      traits: Object.fromEntries([
        ['toString', { oneOf: [{ value: 'fit' }] }],
        ['hasOwnProperty', { oneOf: [{ value: 'yes' }] }],
        ['__proto__', { oneOf: [{ value: 'kept' }] }],
        ['constructor', { uniform: { min: 1, max: 3 } }],
      ]),
    };
    const report = await simulateSynthetic({ ...input(), contacts: 20, seed: 5, population });
    for (const journey of HOSTILE) {
      expect(entered(report.nodes[journey]!, 'constructor')).toBe(20);
      expect(entered(report.nodes[journey]!, 'toString')).toBe(20);
    }
    expect(report.handoffs.created).toBe(100);
  });
});
