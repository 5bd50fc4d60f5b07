import { parseInstant, formatInstant, type Millis } from '../model/time.ts';
import { BatonError } from '../model/errors.ts';
import { Population } from '../model/population.ts';
import { parseInput } from '../validate/issues.ts';
import { MinHeap } from '../store/heap.ts';
import { syntheticPopulation, type SyntheticEvent } from './population.ts';
import { exponential, seededRandom } from './random.ts';
import type { SimulationReport } from './report.ts';
import { advanceTo, buildReport, simulationWorld, type SimulationInput } from './simulate.ts';

/** A synthetic run: N generated contacts over a horizon, reps answering after random delays. */
export interface SyntheticInput extends Omit<SimulationInput, 'script'> {
  contacts: number;
  seed: number;
  /** How many days to simulate (default 30). */
  days?: number;
  /** The first instant (default Monday 2026-01-05 08:00 UTC). */
  start?: string;
  /** What the population is like: trait distributions, event rates, rep response (see `Population`). */
  population?: unknown;
  /** Called as the run goes, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/** What a synthetic run adds to the §8 report. */
export interface SyntheticTiming {
  contacts: number;
  seed: number;
  events: number;
  repActions: number;
  from: string;
  until: string;
}

interface RepAction {
  at: Millis;
  seq: number;
  kind: 'accept' | 'outcome';
  ref: { userId: string; journey: string; node: string };
}

const HOUR = 3_600_000;
/** A delay rounded to whole seconds, so reports read as people would write the times. */
const delay = (random: () => number, mean: number) => Math.round(exponential(random, mean) / 1000) * 1000;

/**
 * Runs journeys against a synthetic population, deterministically for a seed: the same input and seed
 * give the same report. By default reps accept 90% of their handoffs after an exponential delay (mean 3
 * hours) and log one of the node's outcomes a day or so later; the other 10% are never touched (so SLAs
 * breach and handoffs expire). `population` changes any of that, and sets traits and event rates.
 */
export async function simulateSynthetic(
  input: SyntheticInput,
): Promise<SimulationReport & { timing: SyntheticTiming }> {
  if (!Number.isInteger(input.contacts) || input.contacts < 1)
    throw new BatonError('input_invalid', '--contacts must be a whole number of at least 1');
  if (!Number.isInteger(input.seed)) throw new BatonError('input_invalid', '--seed must be a whole number');
  const start = parseInstant(input.start ?? '2026-01-05T08:00:00Z');
  const days = input.days ?? 30;
  const end = start + days * 24 * HOUR;
  const population = parseInput(Population, input.population ?? {}, 'population');
  const { acceptRate, acceptHours, outcomeHours } = population.reps;
  const world = simulationWorld(input, start);
  const random = seededRandom(input.seed);
  const journeys = world.runtime.catalog.live().map((l) => l.compiled.journey);
  const events = syntheticPopulation(
    journeys,
    world.runtime.team,
    world.runtime.workspace,
    input.contacts,
    start,
    days,
    random,
    population,
  );

  const actions = new MinHeap<RepAction>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  let seq = 0;
  world.runtime.subscribe((applied) => {
    for (const e of applied.effects) {
      if (e.type !== 'event' || e.name !== 'Handoff Assigned' || random() < 1 - acceptRate) continue; // the rest are never touched
      const p = e.properties as { journey: string; node: string };
      actions.push({
        at: e.at + delay(random, acceptHours * HOUR),
        seq: seq++,
        kind: 'accept',
        ref: { userId: e.contactId, journey: p.journey, node: p.node },
      });
    }
  });

  let done = 0;
  let repActions = 0;
  const total = events.length;
  for (let i = 0; i < events.length || actions.size > 0; ) {
    const nextEvent = events[i]?.at ?? Infinity;
    const nextAction = actions.peek()?.at ?? Infinity;
    const at = Math.min(nextEvent, nextAction);
    if (at > end) break;
    await advanceTo(world, at);
    if (nextEvent <= nextAction) {
      const e = events[i]!;
      (events as (SyntheticEvent | undefined)[])[i++] = undefined; // what was ingested is kept by the contact, not twice
      // Built valid (a userId, a named event, JSON properties): applied without parsing it again.
      const timestamp = formatInstant(e.at);
      await world.runtime.ingestEvent(
        e.type === 'track'
          ? { type: 'track', userId: e.userId, event: e.event, properties: e.properties, timestamp }
          : { type: 'identify', userId: e.userId, traits: e.traits, timestamp },
      );
      input.onProgress?.(++done, total);
      continue;
    }
    const action = actions.pop()!;
    try {
      if (action.kind === 'accept') {
        await world.runtime.accept(action.ref);
        actions.push({
          at: action.at + delay(random, outcomeHours * HOUR),
          seq: seq++,
          kind: 'outcome',
          ref: action.ref,
        });
      } else {
        const node = journeys.find((j) => j.id === action.ref.journey)?.nodes.find((n) => n.id === action.ref.node);
        const outcomes = node?.type === 'handoff' ? Object.keys(node.outcomes) : [];
        await world.runtime.logOutcome({
          ...action.ref,
          outcome: outcomes[Math.floor(random() * outcomes.length)] ?? '',
        });
      }
      repActions++;
    } catch (err) {
      if (!(err instanceof BatonError)) throw err; // the handoff moved on (escalated, expired): the rep's click is moot
    }
  }
  await advanceTo(world, end);
  const report = await buildReport(world, []);
  return {
    ...report,
    timing: {
      contacts: input.contacts,
      seed: input.seed,
      events: total,
      repActions,
      from: formatInstant(start),
      until: formatInstant(end),
    },
  };
}
