import { parseInstant, formatInstant, type Millis } from '../model/time.ts';
import { BatonError, HandoffDeferred } from '../model/errors.ts';
import { Population } from '../model/population.ts';
import { parseInput } from '../validate/issues.ts';
import { MinHeap } from '../store/heap.ts';
import { inIdOrder, syntheticPopulation, syntheticUserId, type SyntheticSchedule } from './population.ts';
import { exponential, seededRandom } from './random.ts';
import { HandoffTotals, ReportInterner, reportJourneys, type ReportJourney, type SimulationReport } from './report.ts';
import { advanceTo, simulationWorld, type SimulationInput, type SimulationWorld } from './simulate.ts';
import { ContactIds } from './contactIds.ts';
import type { ContactState } from '../state/records.ts';
import type { Applied } from '../runtime/applied.ts';
import type { Journey } from '../nodes/journey.ts';
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
 *
 * With `partitions` (one or more), this thread is the sequencer of a run split between threads (see
 * `runSyntheticPartition`): it steps only the contacts the partitions hand it, in the run's global order,
 * and the report is the same as on one thread. With none it steps every contact itself.
 */
export async function runSynthetic(
  input: SyntheticInput,
  onContact: (index: number, journeys: Record<string, ReportJourney>) => void,
  interner?: ReportInterner,
  partitions?: SyntheticPartitions,
): Promise<Omit<SimulationReport, 'contacts'> & { timing: SyntheticTiming }> {
  const run = new SyntheticRun(
    input,
    partitions && partitions.count > 0 ? { kind: 'sequencer', partitions } : { kind: 'all' },
    onContact,
    interner,
  );
  return run.sequence();
}

/**
 * One partition of a synthetic run split between threads (issue #17): the contacts whose index is `index`
 * modulo `of`, each stepped through its own events and timers, in time order, for as long as it touches
 * nothing contacts share. The step that would (a handoff created, so the routing desk, the reps' loads and
 * the queues) stops there and commits nothing (`RuntimeOptions.deferHandoffs`), and the contact is handed
 * to the sequencer as it was before it, with its events still to come. Contacts that finish here (the nurture path: most of a population) are reported
 * here. `send` is given the batches in order, one every `batchInputs` inputs stepped; the run waits for a
 * promise it returns (back-pressure).
 *
 * Why the report is the same for any number of partitions: such a step reads and writes only its own
 * contact, whose ids are numbered per contact (`ContactIds`), and the generator the reps' delays are drawn
 * from is only drawn from in the sequencer, which steps every handed-over contact's inputs in the order one
 * thread steps them (instant; timers by due instant and id, then events in the schedule's order, then reps'
 * actions).
 */
export async function runSyntheticPartition(
  input: SyntheticInput,
  index: number,
  of: number,
  send: (batch: PartitionBatch) => void | Promise<void>,
  batchInputs = 4096,
): Promise<void> {
  if (!(Number.isInteger(batchInputs) && batchInputs >= 1))
    throw new BatonError('input_invalid', `a partition's batches must hold at least 1 input (${batchInputs})`);
  if (!(Number.isInteger(of) && of >= 1 && Number.isInteger(index) && index >= 0 && index < of))
    throw new BatonError('input_invalid', `partition ${index} of ${of}: not a partition`);
  const run = new SyntheticRun(input, { kind: 'partition', index, of, send, batchInputs }, () => {});
  await run.partition();
}

/** A contact a partition hands to the sequencer: as it was before the step that would touch what contacts share. */
export interface Handover {
  index: number;
  /** null: the contact had no state yet. */
  state: ContactState | null;
  /** How many of its events are still to come, the one it was stopped at included. */
  pending: number;
  /** How many ids it had been given. */
  ids: number;
  /** The first of its events (by index in the schedule) the sequencer applies: the ones before are done. */
  next: number;
}

/** What a partition sends the sequencer. */
export interface PartitionBatch {
  /** Every input of the partition before this instant is done: applied there, or handed over in this or an earlier batch. Infinity: the partition is done. */
  watermark: number;
  handovers: Handover[];
  /** Contacts that finished in the partition: index, and report entry as JSON (`JSON.stringify` of `reportJourneys`). */
  finished: [number, string][];
  /** With the last batch: node entries counted by the steps the partition kept. */
  nodes?: [string, string, number][];
}

/** How the sequencer hears from the partitions. */
export interface SyntheticPartitions {
  count: number;
  /**
   * A next batch, each partition's in the order it sent them (which partition's is the channel's choice:
   * `PartitionInbox` gives the one of the partition holding the sequencer back).
   */
  receive(): Promise<{ partition: number; batch: PartitionBatch }>;
  /** A contact that finished in a partition, with its report entry as JSON. */
  finished(index: number, json: string): void;
}

type Role =
  | { kind: 'all' }
  | {
      kind: 'partition';
      index: number;
      of: number;
      send: (batch: PartitionBatch) => void | Promise<void>;
      /** How many inputs it steps between batches. */
      batchInputs: number;
    }
  | { kind: 'sequencer'; partitions: SyntheticPartitions };

/** One thread's part of a synthetic run: every contact, a partition of them, or the sequencer's. */
class SyntheticRun {
  private readonly end: Millis;
  private readonly start: Millis;
  private readonly ids = new ContactIds();
  private readonly world: SimulationWorld;
  private readonly runtime: SimulationWorld['runtime'];
  private readonly store: SimulationWorld['store'];
  private readonly random: ReturnType<typeof seededRandom>;
  private readonly journeys: Journey[];
  private readonly schedule: SyntheticSchedule;
  private readonly outcomes = new Map<string, string[]>();
  /** The mean hours from a rep's accepting to their logging an outcome. */
  private readonly outcomeHours: number;
  /** Per contact: how many of its events are still to come. */
  private readonly pending: Uint32Array;
  private readonly totals = new HandoffTotals();
  private readonly touched: string[] = [];
  /**
   * A contact's first event that left it with nothing but traits and a timeline (no journey entered, no
   * effect, no id minted: the identify every synthetic contact makes at the start) is let go of, and
   * applied again, at its own instant, just before the contact's next event: the same step on the same
   * input gives the same state, and nothing else saw it. Until then the contact costs nothing (issue #17:
   * a million contacts idle until their trigger held most of the memory). -1: none waiting.
   */
  private readonly prelude: Int32Array;
  /**
   * Without a journey that an identify enters, a new contact's identify can only set traits and record
   * itself: it waits as a prelude without being applied first (a third of the run's steps, issue #17).
   */
  private readonly identifyEnters: boolean;
  private readonly actions = new MinHeap<RepAction>(
    (a) => a.at,
    (a, b) => a.seq < b.seq,
  );
  private seq = 0;
  private repActions = 0;
  /**
   * Which contacts this thread steps, as the index of the first event of theirs it applies (-1: none): a
   * partition's own until handed over, the sequencer's from the event it was handed over at; null: all.
   */
  private readonly owned: Int32Array | null;
  /** A partition: the index of the next event in the schedule it looks at. */
  private cursor = 0;
  /** The sequencer: each partition's watermark, and the least of them. */
  private readonly watermarks: Float64Array;
  private watermark = Infinity;
  /** A partition: what its next batch carries. */
  private handovers: Handover[] = [];
  private finished: [number, string][] = [];

  constructor(
    private readonly input: SyntheticInput,
    private readonly role: Role,
    private readonly onContact: (index: number, journeys: Record<string, ReportJourney>) => void,
    private readonly interner?: ReportInterner,
  ) {
    if (!Number.isInteger(input.contacts) || input.contacts < 1)
      throw new BatonError('input_invalid', '--contacts must be a whole number of at least 1');
    if (!Number.isInteger(input.seed)) throw new BatonError('input_invalid', '--seed must be a whole number');
    this.start = parseInstant(input.start ?? '2026-01-05T08:00:00Z');
    const days = input.days ?? 30;
    this.end = this.start + days * 24 * HOUR;
    const population = parseInput(Population, input.population ?? {}, 'population');
    this.world = simulationWorld(input, this.start, this.ids, { deferHandoffs: role.kind === 'partition' });
    this.runtime = this.world.runtime;
    this.store = this.world.store;
    this.random = seededRandom(input.seed);
    this.journeys = this.runtime.catalog.live().map((l) => l.compiled.journey);
    this.schedule = syntheticPopulation(
      this.journeys,
      this.runtime.team,
      this.runtime.workspace,
      input.contacts,
      this.start,
      days,
      this.random,
      population,
    );
    for (const j of this.journeys)
      for (const n of j.nodes)
        if (n.type === 'handoff') this.outcomes.set(`${j.id}\u0000${n.id}`, Object.keys(n.outcomes));
    this.pending = new Uint32Array(input.contacts);
    for (let k = 0; k < this.schedule.length; k++) this.pending[this.schedule.contact[k]!]!++;
    this.prelude = new Int32Array(input.contacts).fill(-1);
    this.identifyEnters = this.runtime.catalog.live().some((l) => l.compiled.journey.trigger.event === CONTACT_UPDATED);
    this.owned = role.kind === 'all' ? null : new Int32Array(input.contacts).fill(-1);
    if (role.kind === 'partition') for (let i = role.index; i < input.contacts; i += role.of) this.owned![i] = 0;
    this.watermarks = new Float64Array(role.kind === 'sequencer' ? role.partitions.count : 0).fill(-Infinity);
    if (role.kind === 'sequencer') this.watermark = -Infinity;

    this.outcomeHours = population.reps.outcomeHours;
    this.runtime.subscribe((applied) => this.touched.push(applied.contactId));
    if (role.kind === 'partition') return; // (a partition never hands off, so never draws a rep's delay)
    const { acceptRate, acceptHours } = population.reps;
    this.runtime.subscribe((applied) => {
      for (const e of applied.effects) {
        if (e.type !== 'event' || e.name !== 'Handoff Assigned' || this.random() < 1 - acceptRate) continue; // the rest are never touched
        const p = e.properties as { journey: string; node: string };
        this.actions.push({
          at: e.at + delay(this.random, acceptHours * HOUR),
          seq: this.seq++,
          kind: 'accept',
          ref: { userId: e.contactId, journey: p.journey, node: p.node },
        });
      }
    });
  }

  private indexOf(id: string): number {
    const i = Number(id.slice(PREFIX.length)) - 1;
    if (
      !(Number.isInteger(i) && i >= 0 && i < this.input.contacts && id.startsWith(PREFIX) && id[PREFIX.length] !== '0')
    )
      throw new Error(`not a synthetic contact: ${id}`);
    return i;
  }

  private report(i: number, id: string): void {
    const state = this.store.release(id)!;
    this.ids.set(id, 0);
    const journeys = reportJourneys(state, this.interner);
    if (this.role.kind === 'partition') this.finished.push([i, JSON.stringify(journeys)]);
    else this.onContact(i, journeys);
    this.totals.add(state.handoffs);
  }

  /** Reports and lets go of the contacts just changed that nothing will change again. */
  private settle(): void {
    for (const id of this.touched) {
      const i = this.indexOf(id);
      if (this.pending[i]! > 0) continue;
      const state = this.store.stateOf(id);
      if (!state || state.timers.length > 0 || state.handoffs.some((h) => h.status === 'open')) continue;
      this.report(i, id);
    }
    this.touched.length = 0;
  }

  private applyEvent(k: number, id?: string): Applied | Promise<Applied> {
    const e = this.schedule.event(k, id);
    // Built valid (a userId, a named event, JSON properties): applied as `ingestEvent` would, unparsed.
    return this.runtime.applySoon(
      e.userId,
      e.type === 'track'
        ? { kind: 'track', name: e.event, properties: e.properties, at: e.at }
        : { kind: 'identify', traits: e.traits, at: e.at },
      e.at, // the clock stands at it (a prelude applied late is applied at its own instant)
    );
  }

  /** Applies event `k`, after its contact's prelude if one waits. */
  private applyNext(k: number): undefined | Promise<void> {
    const i = this.schedule.contact[k]!;
    const waiting = this.prelude[i]!;
    if (waiting < 0) return this.applyOwn(k, i, true);
    this.prelude[i] = -1;
    const first = this.applyEvent(waiting);
    return first instanceof Promise ? first.then(() => this.applyOwn(k, i, false)) : this.applyOwn(k, i, false);
  }

  private applyOwn(k: number, i: number, noPrelude: boolean): undefined | Promise<void> {
    const id = syntheticUserId(i);
    const before = this.store.stateOf(id);
    if (
      before === undefined &&
      noPrelude &&
      this.pending[i]! > 1 &&
      !this.identifyEnters &&
      this.schedule.isIdentify(k)
    ) {
      this.pending[i]!--;
      this.prelude[i] = k;
      return;
    }
    const mark: Mark = { state: before, ids: this.ids.count(id) };
    let applied: Applied | Promise<Applied>;
    try {
      applied = this.applyEvent(k, id);
    } catch (err) {
      this.deferred(err, i, id, mark, k);
      return;
    }
    if (applied instanceof Promise)
      return applied.then(
        (a) => this.afterOwn(i, k, id, mark, a),
        (err) => this.deferred(err, i, id, mark, k),
      );
    this.afterOwn(i, k, id, mark, applied);
  }

  private afterOwn(i: number, k: number, id: string, mark: Mark, applied: Applied): void {
    this.pending[i]!--;
    // A new contact whose event left it idle is let go of, the event kept as its prelude.
    if (
      mark.state !== undefined ||
      this.pending[i] === 0 ||
      this.ids.count(id) !== mark.ids ||
      applied.effects.length > 0 ||
      applied.journal.length > 0
    )
      return;
    const state = this.store.stateOf(id);
    if (state && state.instances.length === 0 && state.timers.length === 0 && state.handoffs.length === 0) {
      this.store.release(id);
      this.prelude[i] = k;
    }
  }

  /**
   * In a partition, a step that reached a handoff (or set a timer due at once) threw `HandoffDeferred` and
   * committed nothing: the contact is handed over. Any other error is rethrown.
   */
  private deferred(err: unknown, i: number, id: string, mark: Mark, next: number): void {
    if (!(err instanceof HandoffDeferred) || this.role.kind !== 'partition') throw err;
    this.handOver(i, id, mark, next);
  }

  /**
   * Hands the contact to the sequencer as it was before the step (`mark`), with the input it was at
   * (`next`: its first event still to apply, by index).
   */
  private handOver(i: number, id: string, mark: Mark, next: number): void {
    this.store.release(id);
    this.ids.set(id, 0);
    this.owned![i] = -1;
    this.handovers.push({ index: i, state: mark.state ?? null, pending: this.pending[i]!, ids: mark.ids, next });
  }

  /** A partition: fires the earliest due timer, at or before `t`. */
  private fireOne(t: Millis): undefined | Promise<void> {
    const [timer] = this.store.claimDueNow({ owner: 'simulation', dueBy: t, limit: 1, now: t, leaseUntil: t + HOUR });
    if (timer === undefined) return;
    if (timer.timer === 'forget') return this.runtime.fire(timer).then(() => {}); // (a synthetic contact is never anonymous)
    const id = timer.contactId;
    const i = this.indexOf(id);
    const mark: Mark = { state: this.store.stateOf(id), ids: this.ids.count(id) };
    try {
      const applied = this.runtime.applySoon(id, { kind: 'timer', timer }, timer.dueAt);
      if (applied instanceof Promise)
        return applied.then(
          () => {},
          (err) => this.deferred(err, i, id, mark, this.cursor),
        );
    } catch (err) {
      this.deferred(err, i, id, mark, this.cursor);
    }
  }

  /** A partition's run: its contacts' events and timers in time order, then the last batch. */
  async partition(): Promise<void> {
    const role = this.role as Extract<Role, { kind: 'partition' }>;
    const { at, contact } = this.schedule;
    const owned = this.owned!;
    const total = this.schedule.length;
    let inputs = 0;
    for (;;) {
      this.settle();
      let k = this.cursor;
      while (k < total && owned[contact[k]!]! < 0) k++;
      this.cursor = k;
      const nextEvent = k < total ? at[k]! : Infinity;
      const nextDue = this.store.nextDueNow() ?? Infinity;
      const t = Math.min(nextEvent, nextDue);
      if (t > this.end) break;
      if (++inputs % role.batchInputs === 0) await role.send(this.batch(t)); // every input before `t` is done
      this.world.clock.set(t);
      const stepping = nextDue <= nextEvent ? this.fireOne(t) : this.applyNext(this.cursor++);
      if (stepping !== undefined) await stepping;
    }
    await this.finish();
    await role.send({ ...this.batch(Infinity), nodes: this.world.counter.entries() });
  }

  private batch(watermark: number): PartitionBatch {
    const batch = { watermark, handovers: this.handovers, finished: this.finished };
    this.handovers = [];
    this.finished = [];
    return batch;
  }

  /** The sequencer: takes the next batch of any partition. */
  private async receive(): Promise<void> {
    const { partitions } = this.role as Extract<Role, { kind: 'sequencer' }>;
    const { partition, batch } = await partitions.receive();
    for (const h of batch.handovers) {
      const id = syntheticUserId(h.index);
      if (h.state) this.store.adopt(h.state);
      this.ids.set(id, h.ids);
      this.pending[h.index] = h.pending;
      this.owned![h.index] = h.next;
    }
    for (const [i, json] of batch.finished) partitions.finished(i, json);
    if (batch.nodes) this.world.counter.merge(batch.nodes);
    this.watermarks[partition] = batch.watermark;
    let least = Infinity;
    for (const w of this.watermarks) least = Math.min(least, w);
    this.watermark = least;
  }

  /**
   * Every contact's run (one thread), or the sequencer's: events, timers and reps' actions in the run's
   * order, the sequencer waiting for the partitions' watermarks to pass an instant before stepping it.
   */
  async sequence(): Promise<Omit<SimulationReport, 'contacts'> & { timing: SyntheticTiming }> {
    const { at, contact } = this.schedule;
    const { world, store, runtime, actions, owned } = this;
    const total = this.schedule.length;
    for (let k = 0; ; ) {
      this.settle();
      if (owned !== null) {
        const from = k;
        while (k < total && at[k]! < this.watermark && !(k >= owned[contact[k]!]! && owned[contact[k]!]! >= 0)) k++;
        if (k !== from) this.input.onProgress?.(k, total); // (events the partitions applied)
      }
      const nextEvent = k < total ? at[k]! : Infinity;
      const nextAction = actions.peek()?.at ?? Infinity;
      const nextDue = store.nextDueNow() ?? Infinity;
      const t = Math.min(nextEvent, nextAction, nextDue);
      if (this.watermark !== Infinity && t >= this.watermark) {
        await this.receive(); // a partition may still hand over a contact with an input at or before `t`
        continue;
      }
      if (t > this.end) break;
      if (nextDue <= t) {
        // Timers first, each at its own instant; then what they started (a rep's answer to an assignment) is
        // taken in its turn, not after timers due later.
        await advanceTo(world, t);
        continue;
      }
      world.clock.set(t);
      if (nextEvent <= nextAction) {
        const applying = this.applyNext(k++);
        if (applying !== undefined) await applying;
        this.input.onProgress?.(k, total);
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
            at: action.at + delay(this.random, this.outcomeHours * HOUR),
            seq: this.seq++,
            kind: 'outcome',
            ref: action.ref,
          });
        } else {
          const choices = this.outcomes.get(`${action.ref.journey}\u0000${action.ref.node}`) ?? [];
          const ref = { ...action.ref, outcome: choices[Math.floor(this.random() * choices.length)] ?? '' };
          const logging = runtime.applySoon(
            ref.userId,
            { kind: 'human', action: { type: 'outcome', ref, outcome: ref.outcome, value: undefined } },
            world.clock.now(),
          );
          if (logging instanceof Promise) await logging;
        }
        this.repActions++;
      } catch (err) {
        if (!(err instanceof BatonError)) throw err; // the handoff moved on (escalated, expired): the rep's click is moot
      }
    }
    await this.finish();
    return {
      nodes: world.counter.nodesIn(this.journeys),
      handoffs: this.totals.counts,
      refused: [],
      timing: {
        contacts: this.input.contacts,
        seed: this.input.seed,
        events: total,
        repActions: this.repActions,
        from: formatInstant(this.start),
        until: formatInstant(this.end),
      },
    };
  }

  /** The end of the horizon: timers due by then fire, and every contact left is reported. */
  private async finish(): Promise<void> {
    await advanceTo(this.world, this.end);
    for (let i = 0; i < this.input.contacts; i++) {
      if (this.prelude[i]! >= 0 && (this.owned === null || this.owned[i]! >= 0))
        await this.applyEvent(this.prelude[i]!); // (none: a prelude waits for a later event)
    }
    this.settle();
    for (const id of await this.store.contactIds()) this.report(this.indexOf(id), id);
  }
}

/** A contact before a step: what a partition hands over if the step reaches a handoff. */
interface Mark {
  state: ContactState | undefined;
  ids: number;
}
