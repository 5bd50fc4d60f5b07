import type { z } from 'zod';
import { JourneyCatalog } from '../compile/catalog.ts';
import type { InboundEvent } from '../model/event.ts';
import { BatonError } from '../model/errors.ts';
import { Team } from '../model/team.ts';
import type { Clock, Millis } from '../model/time.ts';
import { addDuration, parseInstant } from '../model/time.ts';
import { Workspace } from '../model/workspace.ts';
import type { Effect } from '../state/effects.ts';
import type { ContactState, HandoffRecord } from '../state/records.ts';
import type { IdSource } from '../step/draft.ts';
import { MemoryStore } from '../store/memoryStore.ts';
import type { OutboxEntry, Store } from '../store/store.ts';
import { parseInput } from '../validate/issues.ts';
import type { Applied } from '../runtime/applied.ts';
import { Runtime } from '../runtime/runtime.ts';
import { randomIds } from './randomIds.ts';

/** A Segment `track` or `identify` call, as `engine.ingest` takes it (validated; see `InboundEvent`). */
export type SegmentCall = z.input<typeof InboundEvent>;

/** A clock the engine can move: a `VirtualClock`, or any clock with `set`. */
export interface SettableClock extends Clock {
  set(to: Millis): void;
}

/** What `createEngine` needs. JSON documents are validated, and refused with every problem at once. */
export interface EngineOptions {
  /** Journey definitions (`baton.journey/v1` JSON), each published as its version 1. */
  journeys: readonly unknown[];
  /** The reps, queues and calendars handoffs are routed to (team JSON). Without a team, handoffs wait unassigned. */
  team?: unknown;
  /** Score models (workspace JSON: `{ "scores": { … } }`). */
  workspace?: unknown;
  /** Where contacts, timers, handoffs and the outbox are kept. Default: a new `MemoryStore`. */
  store?: Store;
  /**
   * Where the engine reads the time (it never reads the wall clock itself): `{ now: () => Date.now() }` in
   * a service, a `VirtualClock` to let time pass at once in tests, simulations and previews.
   */
  clock: Clock;
  /** Ids of handoffs and timers. Default: random (Web Crypto); `counterIds()` gives repeatable ones. */
  ids?: IdSource;
  /**
   * Called with each effect of each committed step, in order: messages to send, webhooks to post, rep
   * notifications and life-cycle events (`Handoff Created`, `Handoff Assigned`, `Handoff Escalated`…).
   * In-process and at most once; the outbox (`readOutbox`) keeps the same effects durably, in the store.
   */
  onEffect?: (effect: Effect) => void;
  /** Called when a step fired by `start()` fails. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** Who acts on a handoff: the rep, who must be its assignee when given. */
export interface ActingRep {
  rep?: string | undefined;
}

/** An embedded Baton engine: ingest events, let time pass, act on handoffs, read what it asked for. */
export interface Engine {
  /** The store the engine keeps its state in. */
  readonly store: Store;
  /** The clock the engine reads. */
  readonly clock: Clock;
  /** Publishes a journey (or its next version); contacts already inside stay on theirs. Returns the version. */
  publish(journey: unknown): number;
  /** Applies a Segment track or identify call now; the same `messageId` twice is applied once. */
  ingest(call: SegmentCall): Promise<Applied>;
  /** Fires every timer (wait, SLA, expiry…) due by the clock's now, each at the instant it was due. */
  runDue(): Promise<number>;
  /**
   * Lets time pass on a settable clock: moves it forward by an ISO 8601 duration (`PT5H`) or to an instant,
   * firing every timer that falls due on the way at its own instant. Returns how many fired.
   */
  advance(by: string | { to: Millis | string }): Promise<number>;
  /** On a real clock: fires timers as they fall due, checking every `everyMs` (default 1000) until `stop()`. */
  start(everyMs?: number): void;
  /** Stops what `start()` began; resolves when the timers being fired are done. */
  stop(): Promise<void>;
  /** A contact's state (traits, timeline, journeys, timers, handoffs), or undefined. */
  contact(id: string): Promise<ContactState | undefined>;
  /** A handoff by its id, open or closed. */
  handoff(id: string): Promise<HandoffRecord | undefined>;
  /** Every open handoff, oldest first. */
  openHandoffs(): Promise<HandoffRecord[]>;
  /** A rep accepts a handoff (its first touch, which stops the SLA clock). */
  accept(handoffId: string, by?: ActingRep): Promise<Applied>;
  /** A rep rejects a handoff; it is routed again, never back to them. */
  reject(handoffId: string, by?: ActingRep & { reason?: string | undefined }): Promise<Applied>;
  /** A rep logs one of the handoff node's outcomes (with a value, such as revenue); the journey moves on. */
  logOutcome(handoffId: string, outcome: string, by?: ActingRep & { value?: number | undefined }): Promise<Applied>;
  /** Effects after outbox position `after` (0: from the start), oldest first. */
  readOutbox(after?: number, limit?: number): Promise<OutboxEntry[]>;
  /** Forgets outbox effects up to position `upTo`, once they were carried out. */
  pruneOutbox(upTo: number): Promise<void>;
  /** Stops the timer loop and closes the store. */
  close(): Promise<void>;
}

const isSettable = (clock: Clock): clock is SettableClock =>
  typeof (clock as Partial<SettableClock>).set === 'function';

/**
 * Creates an engine that runs `journeys` for the contacts it hears about. Start here:
 *
 * ```ts
 * const engine = createEngine({ journeys: [journey], team, workspace, clock: new VirtualClock(Date.parse('2026-11-23T09:00:00Z')) });
 * await engine.ingest({ type: 'track', userId: 'ada', event: 'Page Viewed', properties: { path: '/pricing' } });
 * await engine.advance('PT5H');
 * console.log(await engine.openHandoffs());
 * ```
 */
export function createEngine(options: EngineOptions): Engine {
  const team = options.team === undefined ? undefined : parseInput(Team, options.team, 'team');
  const workspace = options.workspace === undefined ? undefined : parseInput(Workspace, options.workspace, 'workspace');
  const catalog = new JourneyCatalog();
  const publish = (journey: unknown) => catalog.publish(journey, team);
  for (const journey of options.journeys) publish(journey);
  const { clock, onEffect } = options;
  const store = options.store ?? new MemoryStore();
  const runtime = new Runtime({
    store,
    clock,
    catalog,
    team,
    workspace,
    ids: options.ids ?? randomIds(),
    // A plain memory store answers at once: steps are read, stepped and committed without a promise each
    // (a subclass may do IO in `commit`, so it keeps the awaited path).
    ...(store instanceof MemoryStore && Object.getPrototypeOf(store) === MemoryStore.prototype
      ? { immediate: store }
      : {}),
  });
  if (onEffect) {
    runtime.subscribe((applied) => {
      for (const effect of applied.effects) onEffect(effect);
    });
  }
  const onError = options.onError ?? ((error: unknown) => console.error('baton engine:', error));

  let loop: ReturnType<typeof setInterval> | undefined;
  let firing: Promise<unknown> = Promise.resolve();
  /** Runs `work` after the timers being fired, never two batches at once. */
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = firing.then(work, work);
    firing = run.catch(() => undefined);
    return run;
  };

  async function stop(): Promise<void> {
    if (loop !== undefined) clearInterval(loop);
    loop = undefined;
    await firing;
  }

  async function advanceTo(to: Millis, settable: SettableClock): Promise<number> {
    let fired = 0;
    for (;;) {
      const next = await store.nextDueAt();
      if (next === null || next > to) break;
      settable.set(next);
      fired += await runtime.advance(next);
    }
    settable.set(to);
    return fired;
  }

  return {
    store,
    clock,
    publish,
    ingest: (call) => runtime.ingest(call),
    runDue: () => inTurn(() => runtime.advance(clock.now(), 100)),
    advance(by) {
      if (!isSettable(clock))
        return Promise.reject(
          new BatonError(
            'clock_not_settable',
            'advance() moves a VirtualClock; with a real clock, call start() or runDue()',
          ),
        );
      const to =
        typeof by === 'string' ? addDuration(clock.now(), by) : typeof by.to === 'string' ? parseInstant(by.to) : by.to;
      return inTurn(() => advanceTo(to, clock));
    },
    start(everyMs = 1000) {
      loop ??= setInterval(() => void inTurn(() => runtime.advance(clock.now(), 100)).catch(onError), everyMs);
    },
    stop,
    contact: (id) => store.load(id),
    handoff: (id) => store.handoff(id),
    openHandoffs: () => store.openHandoffs(),
    accept: (handoff, by = {}) => runtime.accept({ handoff, rep: by.rep }),
    reject: (handoff, by = {}) => runtime.reject({ handoff, rep: by.rep, reason: by.reason }),
    logOutcome: (handoff, outcome, by = {}) => runtime.logOutcome({ handoff, rep: by.rep, outcome, value: by.value }),
    readOutbox: (after = 0, limit = 100) => store.readOutbox(after, limit),
    pruneOutbox: (upTo) => store.pruneOutbox(upTo),
    async close() {
      await stop();
      await store.close();
    },
  };
}
