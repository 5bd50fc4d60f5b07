import { parseInstant, formatInstant, type Millis } from '../model/time.ts';
import { BatonError } from '../model/errors.ts';
import { Population } from '../model/population.ts';
import { parseInput } from '../validate/issues.ts';
import { MinHeap } from '../store/heap.ts';
import { inIdOrder, syntheticPopulation, syntheticUserId } from './population.ts';
import { exponential, seededRandom } from './random.ts';
import { HandoffTotals, ReportInterner, reportJourneys, type ReportJourney, type SimulationReport } from './report.ts';
import { advanceTo, simulationWorld, type SimulationInput } from './simulate.ts';
import { dictionary } from '../model/dictionary.ts';

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
 *
 * Memory stays near what the contacts in flight need (issue #17): events are drawn when applied, and a
 * contact that can no longer change (no event to come, no timer, no open handoff) is reported at once
 * and leaves the store.
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
  const { runtime, store } = world;
  const random = seededRandom(input.seed);
  const journeys = runtime.catalog.live().map((l) => l.compiled.journey);
  const schedule = syntheticPopulation(
    journeys,
    runtime.team,
    runtime.workspace,
    input.contacts,
    start,
    days,
    random,
    population,
  );
  const outcomes = new Map<string, string[]>();
  for (const j of journeys)
    for (const n of j.nodes) if (n.type === 'handoff') outcomes.set(`${j.id}\u0000${n.id}`, Object.keys(n.outcomes));

  // Per contact: how many of its events are still to come, and what the report says of it once it is done.
  const pending = new Uint32Array(input.contacts);
  for (let k = 0; k < schedule.length; k++) pending[schedule.contact[k]!]!++;
  const reported: (Record<string, ReportJourney> | undefined)[] = new Array(input.contacts);
  const totals = new HandoffTotals();
  const interner = new ReportInterner();
  const touched: string[] = [];
  const indexOf = (id: string) => {
    const i = Number(id.slice('synthetic-'.length)) - 1;
    if (!(i >= 0 && i < input.contacts) || syntheticUserId(i) !== id) throw new Error(`not a synthetic contact: ${id}`);
    return i;
  };
  const report = (i: number, id: string) => {
    const state = store.release(id)!;
    reported[i] = reportJourneys(state, interner);
    totals.add(state.handoffs);
  };
  /** Reports and lets go of the contacts just changed that nothing will change again. */
  const settle = () => {
    for (const id of touched) {
      const i = indexOf(id);
      if (pending[i]! > 0) continue;
      const state = store.stateOf(id);
      if (!state || state.timers.length > 0 || state.handoffs.some((h) => h.status === 'open')) continue;
      report(i, id);
    }
    touched.length = 0;
  };

  const actions = new MinHeap<RepAction>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  let seq = 0;
  runtime.subscribe((applied) => {
    touched.push(applied.contactId);
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

  let repActions = 0;
  const total = schedule.length;
  for (let k = 0; k < total || actions.size > 0; ) {
    settle();
    const nextEvent = k < total ? schedule.at[k]! : Infinity;
    const nextAction = actions.peek()?.at ?? Infinity;
    const at = Math.min(nextEvent, nextAction);
    if (at > end) break;
    await advanceTo(world, at);
    if (nextEvent <= nextAction) {
      const e = schedule.event(k);
      pending[schedule.contact[k]!]!--;
      k++;
      // Built valid (a userId, a named event, JSON properties): applied as `ingestEvent` would, unparsed.
      await runtime.apply(
        e.userId,
        e.type === 'track'
          ? { kind: 'track', name: e.event, properties: e.properties, at: e.at }
          : { kind: 'identify', traits: e.traits, at: e.at },
        world.clock.now(),
      );
      input.onProgress?.(k, total);
      continue;
    }
    const action = actions.pop()!;
    try {
      if (action.kind === 'accept') {
        await runtime.accept(action.ref);
        actions.push({
          at: action.at + delay(random, outcomeHours * HOUR),
          seq: seq++,
          kind: 'outcome',
          ref: action.ref,
        });
      } else {
        const choices = outcomes.get(`${action.ref.journey}\u0000${action.ref.node}`) ?? [];
        await runtime.logOutcome({
          ...action.ref,
          outcome: choices[Math.floor(random() * choices.length)] ?? '',
        });
      }
      repActions++;
    } catch (err) {
      if (!(err instanceof BatonError)) throw err; // the handoff moved on (escalated, expired): the rep's click is moot
    }
  }
  await advanceTo(world, end);
  settle();
  for (const id of await store.contactIds()) report(indexOf(id), id);
  const contacts: SimulationReport['contacts'] = dictionary();
  inIdOrder(input.contacts, (i) => {
    const journeys = reported[i];
    if (journeys) contacts[syntheticUserId(i)] = { journeys };
  });
  return {
    contacts,
    nodes: world.counter.nodes,
    handoffs: totals.counts,
    refused: [],
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
