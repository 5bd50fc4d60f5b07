import { parseInstant, formatInstant, type Millis } from '../model/time.ts';
import { BatonError } from '../model/errors.ts';
import { Population } from '../model/population.ts';
import { parseInput } from '../validate/issues.ts';
import { MinHeap } from '../store/heap.ts';
import { inIdOrder, syntheticPopulation, syntheticUserId } from './population.ts';
import { exponential, seededRandom } from './random.ts';
import { HandoffTotals, ReportInterner, reportJourneys, type ReportJourney, type SimulationReport } from './report.ts';
import { advanceTo, simulationWorld, type SimulationInput } from './simulate.ts';
import { counterIds, type Applied } from '../runtime/applied.ts';
import { dictionary } from '../model/dictionary.ts';
import { CONTACT_UPDATED } from '../state/records.ts';

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
const PREFIX = syntheticUserId(0).slice(0, -1);
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
  const reported: (Record<string, ReportJourney> | undefined)[] = new Array(input.contacts);
  const interner = new ReportInterner();
  const rest = await runSynthetic(
    input,
    (i, journeys) => {
      reported[i] = journeys;
    },
    interner,
  );
  const contacts: SimulationReport['contacts'] = dictionary();
  inIdOrder(input.contacts, (i) => {
    const journeys = reported[i];
    if (journeys) contacts[syntheticUserId(i)] = { journeys };
  });
  return { contacts, ...rest };
}

/**
 * `simulateSynthetic` without the report's `contacts`: each contact's entry is handed to `onContact` (with
 * the contact's index: its id is `syntheticUserId(index)`) as soon as nothing can change the contact again,
 * in the order contacts finish, and the run keeps none of them. A caller that writes or spools them (the
 * CLI, `ContactSpool`) keeps a million contacts' entries off the heap. `interner` shares the lists entries
 * hold alike, for a caller that keeps the objects.
 */
export async function runSynthetic(
  input: SyntheticInput,
  onContact: (index: number, journeys: Record<string, ReportJourney>) => void,
  interner?: ReportInterner,
): Promise<Omit<SimulationReport, 'contacts'> & { timing: SyntheticTiming }> {
  if (!Number.isInteger(input.contacts) || input.contacts < 1)
    throw new BatonError('input_invalid', '--contacts must be a whole number of at least 1');
  if (!Number.isInteger(input.seed)) throw new BatonError('input_invalid', '--seed must be a whole number');
  const start = parseInstant(input.start ?? '2026-01-05T08:00:00Z');
  const days = input.days ?? 30;
  const end = start + days * 24 * HOUR;
  const population = parseInput(Population, input.population ?? {}, 'population');
  const { acceptRate, acceptHours, outcomeHours } = population.reps;
  // Ids as a simulation always numbers them, counted: a step that minted none touched nothing shared.
  let minted = 0;
  const counter = counterIds();
  const world = simulationWorld(input, start, {
    next: (prefix) => {
      minted++;
      return counter.next(prefix);
    },
  });
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
  const totals = new HandoffTotals();
  const touched: string[] = [];
  const indexOf = (id: string) => {
    const i = Number(id.slice(PREFIX.length)) - 1;
    if (!(Number.isInteger(i) && i >= 0 && i < input.contacts && id.startsWith(PREFIX) && id[PREFIX.length] !== '0'))
      throw new Error(`not a synthetic contact: ${id}`);
    return i;
  };
  const report = (i: number, id: string) => {
    const state = store.release(id)!;
    onContact(i, reportJourneys(state, interner));
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

  const actions = new MinHeap<RepAction>(
    (a) => a.at,
    (a, b) => a.seq < b.seq,
  );
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

  /**
   * A contact's first event that left it with nothing but traits and a timeline (no journey entered, no
   * effect, no id minted: the identify every synthetic contact makes at the start) is let go of, and
   * applied again, at its own instant, just before the contact's next event: the same step on the same
   * input gives the same state, and nothing else saw it. Until then the contact costs nothing (issue #17:
   * a million contacts idle until their trigger held most of the memory). -1: none waiting.
   */
  const prelude = new Int32Array(input.contacts).fill(-1);
  const applyEvent = (k: number, id?: string) => {
    const e = schedule.event(k, id);
    // Built valid (a userId, a named event, JSON properties): applied as `ingestEvent` would, unparsed.
    return runtime.applySoon(
      e.userId,
      e.type === 'track'
        ? { kind: 'track', name: e.event, properties: e.properties, at: e.at }
        : { kind: 'identify', traits: e.traits, at: e.at },
      e.at, // the clock stands at it (a prelude applied late is applied at its own instant)
    );
  };
  // Without a journey that an identify enters, a new contact's identify can only set traits and record
  // itself: it waits as a prelude without being applied first (a third of the run's steps, issue #17).
  const identifyEnters = runtime.catalog.live().some((l) => l.compiled.journey.trigger.event === CONTACT_UPDATED);
  /** Applies event `k`, after its contact's prelude if one waits. */
  const applyNext = (k: number): undefined | Promise<void> => {
    const i = schedule.contact[k]!;
    const waiting = prelude[i]!;
    if (waiting < 0) return applyOwn(k, i, true);
    prelude[i] = -1;
    const first = applyEvent(waiting);
    return first instanceof Promise ? first.then(() => applyOwn(k, i, false)) : applyOwn(k, i, false);
  };
  const applyOwn = (k: number, i: number, noPrelude: boolean): undefined | Promise<void> => {
    const id = syntheticUserId(i);
    const fresh = store.stateOf(id) === undefined;
    if (fresh && noPrelude && pending[i]! > 1 && !identifyEnters && schedule.isIdentify(k)) {
      pending[i]!--;
      prelude[i] = k;
      return;
    }
    const before = minted;
    const applied = applyEvent(k, id);
    if (applied instanceof Promise) return applied.then((a) => letGoIfIdle(i, k, id, fresh, before, a));
    letGoIfIdle(i, k, id, fresh, before, applied);
  };
  /** A new contact whose event left it idle is let go of, the event kept as its prelude. */
  const letGoIfIdle = (i: number, k: number, id: string, fresh: boolean, before: number, applied: Applied) => {
    pending[i]!--;
    if (!fresh || pending[i] === 0 || minted !== before || applied.effects.length > 0 || applied.journal.length > 0)
      return;
    const state = store.stateOf(id);
    if (state && state.instances.length === 0 && state.timers.length === 0 && state.handoffs.length === 0) {
      store.release(id);
      prelude[i] = k;
    }
  };

  let repActions = 0;
  const total = schedule.length;
  for (let k = 0; k < total || actions.size > 0; ) {
    settle();
    const nextEvent = k < total ? schedule.at[k]! : Infinity;
    const nextAction = actions.peek()?.at ?? Infinity;
    const at = Math.min(nextEvent, nextAction);
    if (at > end) break;
    if ((store.nextDueNow() ?? Infinity) <= at) await advanceTo(world, at);
    else world.clock.set(at); // (what advanceTo does when no timer falls due, without a promise)
    if (nextEvent <= nextAction) {
      const applying = applyNext(k++);
      if (applying !== undefined) await applying;
      input.onProgress?.(k, total);
      continue;
    }
    const action = actions.pop()!;
    try {
      // What runtime.accept and runtime.logOutcome apply for a handoff named by its contact.
      if (action.kind === 'accept') {
        const accepting = runtime.applySoon(
          action.ref.userId,
          { kind: 'human', action: { type: 'accept', ref: action.ref } },
          world.clock.now(),
        );
        if (accepting instanceof Promise) await accepting;
        actions.push({
          at: action.at + delay(random, outcomeHours * HOUR),
          seq: seq++,
          kind: 'outcome',
          ref: action.ref,
        });
      } else {
        const choices = outcomes.get(`${action.ref.journey}\u0000${action.ref.node}`) ?? [];
        const ref = { ...action.ref, outcome: choices[Math.floor(random() * choices.length)] ?? '' };
        const logging = runtime.applySoon(
          ref.userId,
          { kind: 'human', action: { type: 'outcome', ref, outcome: ref.outcome, value: undefined } },
          world.clock.now(),
        );
        if (logging instanceof Promise) await logging;
      }
      repActions++;
    } catch (err) {
      if (!(err instanceof BatonError)) throw err; // the handoff moved on (escalated, expired): the rep's click is moot
    }
  }
  await advanceTo(world, end);
  for (let i = 0; i < input.contacts; i++) if (prelude[i]! >= 0) await applyEvent(prelude[i]!); // (none: a prelude waits for a later event)
  settle();
  for (const id of await store.contactIds()) report(indexOf(id), id);
  return {
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
