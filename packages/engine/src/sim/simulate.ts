import { Script, type ScriptStep } from '../model/script.ts';
import { VirtualClock, parseInstant, type Millis } from '../model/time.ts';
import { Workspace } from '../model/workspace.ts';
import { Team } from '../model/team.ts';
import { JourneyCatalog } from '../compile/catalog.ts';
import { BatonError, InputInvalidError, JourneyInvalidError } from '../model/errors.ts';
import { counterIds } from '../runtime/applied.ts';
import { Runtime } from '../runtime/runtime.ts';
import { newContactState } from '../state/records.ts';
import { MemoryStore } from '../store/memoryStore.ts';
import { parseInput } from '../validate/issues.ts';
import { validateJourney } from '../validate/validateJourney.ts';
import type { IdSource } from '../step/draft.ts';
import { publishAndMigrate } from '../runtime/migrate.ts';
import { HandoffTotals, NodeCounter, reportContacts, type SimulationReport } from './report.ts';

/** What a simulation runs: journeys, the team, the workspace (scores) and a script. */
export interface SimulationInput {
  journeys: unknown[];
  team?: unknown;
  workspace?: unknown;
  script: unknown;
}

/** A virtual world for a simulation: memory store, virtual clock, counter ids. Nothing leaves it. */
export function simulationWorld(
  input: Omit<SimulationInput, 'script'>,
  start: Millis,
  ids: IdSource = counterIds(),
  options: { deferHandoffs?: boolean } = {},
) {
  const workspace = parseInput(Workspace, input.workspace ?? {}, 'workspace');
  const team = input.team === undefined ? undefined : parseInput(Team, input.team, 'team');
  const catalog = new JourneyCatalog();
  input.journeys.forEach((j, i) => {
    const result = validateJourney(j, input.team);
    if (!result.valid)
      throw new JourneyInvalidError(result.errors.map((e) => ({ ...e, message: `journey ${i + 1}: ${e.message}` })));
    catalog.publish(j);
  });
  const handoffJourney = catalog
    .live()
    .find(({ compiled }) => compiled.journey.nodes.some((n) => n.type === 'handoff'));
  if (handoffJourney && !team) {
    throw new InputInvalidError(
      [
        {
          path: '$',
          node: null,
          message: `journey ${handoffJourney.compiled.journey.id} has handoff nodes, so the simulation needs a team (--team TEAM.json)`,
        },
      ],
      'team',
    );
  }
  const clock = new VirtualClock(start);
  const store = new MemoryStore({ keepOutbox: false, reportIndex: false });
  const runtime = new Runtime({
    store,
    clock,
    catalog,
    workspace,
    ids,
    owner: 'simulation',
    immediate: store, // steps without a promise per read and commit (issue #17)
    lazyHandoffContext: true, // no simulation report reads it; a rep's view in the designer builds it (issue #17)
    ...(options.deferHandoffs ? { deferHandoffs: true } : {}),
    ...(team ? { team } : {}),
  });
  const counter = new NodeCounter();
  runtime.subscribe((applied) => counter.add(applied.journal));
  return { runtime, clock, store, counter };
}

/** A simulation's runtime, clock, store and node counter. */
export type SimulationWorld = ReturnType<typeof simulationWorld>;

/** Moves the virtual clock to `to`, firing every timer due on the way at its own instant. */
export async function advanceTo(world: SimulationWorld, to: Millis): Promise<void> {
  for (;;) {
    const next = world.store.nextDueNow();
    if (next === null || next > to) break;
    world.clock.set(next);
    await world.runtime.advance(next);
  }
  world.clock.set(to);
}

async function runStep(world: SimulationWorld, step: ScriptStep, at: string): Promise<void> {
  const { runtime } = world;
  if (step.track) {
    await runtime.ingest({ type: 'track', ...step.track, timestamp: at });
  } else if (step.identify) {
    await runtime.ingest({ type: 'identify', ...step.identify, timestamp: at });
  } else if (step.accept) {
    await runtime.accept(step.accept);
  } else if (step.outcome) {
    await runtime.logOutcome(step.outcome);
  } else if (step.reject) {
    await runtime.reject(step.reject);
  } else if (step.setRep) {
    const { id, ...change } = step.setRep;
    await runtime.setRep(id, change);
  } else if (step.publish) {
    await publishAndMigrate(runtime, step.publish.journey, step.publish.migrate);
  }
}

/**
 * Runs a script on a virtual clock (SPEC §8): the clock moves to each step's instant in order, firing
 * every timer that falls due on the way at its own instant, then to `until`. Refused steps change nothing
 * and are listed in the report.
 */
export async function simulateScript(input: SimulationInput): Promise<SimulationReport> {
  const script = parseInput(Script, input.script, 'script');
  const world = simulationWorld(input, parseInstant(script.start));
  for (const c of script.contacts) {
    await world.store.commit({
      contactId: c.id,
      expectedVersion: 0,
      state: newContactState(c.id, parseInstant(script.start), c.traits),
      effects: [],
    });
  }
  const refused: SimulationReport['refused'] = [];
  for (const [i, step] of script.steps.entries()) {
    await advanceTo(world, parseInstant(step.at));
    try {
      await runStep(world, step, step.at);
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      refused.push({ step: i, error: err.message });
    }
  }
  await advanceTo(world, parseInstant(script.until));
  return buildReport(world, refused);
}

/** The §8 report of a finished simulation. */
export async function buildReport(
  world: SimulationWorld,
  refused: SimulationReport['refused'],
): Promise<SimulationReport> {
  const states = await world.store.contacts();
  const totals = new HandoffTotals();
  for (const s of states) totals.add(s.handoffs);
  return { contacts: reportContacts(states), nodes: world.counter.nodes, handoffs: totals.counts, refused };
}
