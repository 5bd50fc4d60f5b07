import { z } from 'zod';
import { BatonError, InputInvalidError, type ValidationError } from '../model/errors.ts';
import { ContactId, GroupCall, InboundEvent } from '../model/event.ts';
import { own } from '../model/dictionary.ts';
import { JsonObject } from '../model/primitives.ts';
import { RepModel, RoutingAtStart, type RepBehaviour } from '../model/repModel.ts';
import { addDuration, formatInstant, parseInstant, type Millis } from '../model/time.ts';
import { MinHeap } from '../store/heap.ts';
import { newContactState } from '../state/records.ts';
import { parseInput } from '../validate/issues.ts';
import { exponential, seededRandom } from './random.ts';
import type { SimulationReport } from './report.ts';
import { advanceTo, buildReport, simulationWorld, type SimulationInput } from './simulate.ts';

/** A backtest: journeys replayed against recorded Segment calls, reps acting as a fitted model says. */
export interface BacktestInput extends Omit<SimulationInput, 'script'> {
  /** Segment calls (track, identify, page, screen, alias), each with its `timestamp`, in any order. */
  events: unknown[];
  /** The reps' behaviour (`RepModel`); without it reps never act, so handoffs stay open and breach. */
  reps?: unknown;
  seed: number;
  /** How long to run after the last event, so waits and SLAs play out (default P30D). */
  after?: string;
  /**
   * The latest instant to run to. A backtest set beside what the live journey did stops at the present:
   * live has played out nothing after it, so a draft that ran on would show breaches and expiries that
   * have not happened yet, for the same journey.
   */
  until?: string;
  /** Where the clock starts (default: the first event); no event may come before it. */
  start?: string;
  /** Contacts as they were at the start: their traits then (a server's backtest gives them). */
  contacts?: { id: string; traits: Record<string, unknown> }[];
  /** Live routing when the period began (`RoutingAtStart`); default: the model's `routing`, else none (queues start afresh). */
  routing?: unknown;
}

/** What a backtest adds to the §8 report. */
export interface BacktestTiming {
  seed: number;
  events: number;
  repActions: number;
  from: string;
  until: string;
}

/** page and screen calls become the track events the server makes of them (SPEC §7). */
const ViewCall = z.looseObject({
  type: z.enum(['page', 'screen']),
  name: z.string().optional(),
  properties: JsonObject.default({}),
});

/** The Segment calls a recording holds (SPEC §7), as the server keeps them. */
const RECORDED_TYPES: readonly unknown[] = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

/** An alias call: links `previousId` (an anonymousId) to `userId` (SPEC §7). */
const AliasCall = z.looseObject({ type: z.literal('alias'), userId: ContactId, previousId: ContactId });

/**
 * A recorded call as the runtime applies it: an event, or an identity call (alias, group) that makes its
 * contact and links an anonymous profile to it (`Runtime.identity`).
 */
export type RecordedEvent =
  | { at: Millis; event: InboundEvent }
  | { at: Millis; identity: { userId: string; anonymousId?: string | undefined } };

/** Each recorded call as the runtime applies it, with its instant; every problem named by line. */
export function recordedEvents(calls: readonly unknown[]): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  const errors: ValidationError[] = [];
  const refuse = (i: number, issues: z.core.$ZodIssue[]) =>
    errors.push({
      path: `$[${i}]`,
      node: null,
      message: issues.map((x) => `${x.path.join('.') || 'call'} ${x.message}`).join('; '),
    });
  calls.forEach((raw, i) => {
    const call = raw as { type?: unknown; timestamp?: unknown };
    const timestamp = typeof call?.timestamp === 'string' ? call.timestamp : undefined;
    const untimed = () =>
      errors.push({
        path: `$[${i}].timestamp`,
        node: null,
        message: 'is required: a recorded call says when it happened',
      });
    if (call?.type === 'alias') {
      const alias = AliasCall.safeParse(raw);
      if (!alias.success) refuse(i, alias.error.issues);
      else if (timestamp === undefined) untimed();
      else
        out.push({
          at: parseInstant(timestamp),
          identity: { anonymousId: alias.data.previousId, userId: alias.data.userId },
        });
      return;
    }
    if (call?.type === 'group') {
      const group = GroupCall.safeParse(raw);
      if (!group.success) refuse(i, group.error.issues);
      else if (group.data.userId === undefined)
        return; // an anonymous visitor's group: nothing to make or link
      else if (timestamp === undefined) untimed();
      else
        out.push({
          at: parseInstant(timestamp),
          identity: { userId: group.data.userId, anonymousId: group.data.anonymousId },
        });
      return;
    }
    if (!RECORDED_TYPES.includes(call?.type)) {
      errors.push({ path: `$[${i}].type`, node: null, message: `must be one of ${RECORDED_TYPES.join(', ')}` });
      return;
    }
    let input: unknown = raw;
    const view = ViewCall.safeParse(raw);
    if (view.success) {
      const { type, name, properties, ...rest } = view.data;
      input = {
        ...rest,
        type: 'track',
        event: type === 'page' ? 'Page Viewed' : 'Screen Viewed',
        properties: name === undefined ? properties : { ...properties, name },
      };
    }
    const parsed = InboundEvent.safeParse(input);
    if (!parsed.success) refuse(i, parsed.error.issues);
    else if (timestamp === undefined) untimed();
    else out.push({ at: parseInstant(timestamp), event: parsed.data });
  });
  if (errors.length > 0) throw new InputInvalidError(errors, 'events');
  return out.sort((a, b) => a.at - b.at); // stable: calls of one instant keep their order
}

interface RepAction {
  at: Millis;
  seq: number;
  handoff: string;
  rep: string;
  outcome?: string;
}

/** An outcome drawn from the rep's recorded mix at this node, among those the node declares (uniform when nothing fits). */
function drawOutcome(
  random: () => number,
  behaviour: RepBehaviour,
  journey: string,
  node: string,
  declared: string[],
): string {
  const mix = own(own(behaviour.outcomes, journey) ?? {}, node) ?? {};
  const weighted = declared.map((o) => [o, own(mix, o) ?? 0] as const).filter(([, n]) => n > 0);
  const total = weighted.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return declared[Math.floor(random() * declared.length)]!;
  let r = random() * total;
  for (const [o, n] of weighted) {
    r -= n;
    if (r < 0) return o;
  }
  return weighted[weighted.length - 1]![0];
}

/**
 * Replays recorded events through journeys on a virtual clock, side-effect free, deterministically for a
 * seed: from the first event's instant to `after` past the last. Reps act as the model says (accept with
 * their share after an exponential delay of their mean, then log an outcome from their mix); reps the
 * model lacks, and every rep without a model, never act.
 */
export async function simulateEvents(input: BacktestInput): Promise<SimulationReport & { timing: BacktestTiming }> {
  if (!Number.isInteger(input.seed)) throw new BatonError('input_invalid', '--seed must be a whole number');
  const events = recordedEvents(input.events);
  const model = input.reps === undefined ? undefined : parseInput(RepModel, input.reps, 'reps');
  const start = input.start === undefined ? (events[0]?.at ?? 0) : parseInstant(input.start);
  if (events.length > 0 && events[0]!.at < start)
    throw new InputInvalidError(
      [{ path: '$.start', node: null, message: `must not be after the first event (${formatInstant(events[0]!.at)})` }],
      'backtest',
    );
  const playedOut = addDuration(events[events.length - 1]?.at ?? start, input.after ?? 'P30D');
  const end = input.until === undefined ? playedOut : Math.max(start, Math.min(playedOut, parseInstant(input.until)));
  const world = simulationWorld(input, start);
  const routing = input.routing === undefined ? model?.routing : parseInput(RoutingAtStart, input.routing, 'routing');
  if (routing) {
    const desk = await world.store.loadDesk();
    await world.store.commitDesk({
      expectedVersion: desk.version,
      state: { ...desk.state, cursors: { ...desk.state.cursors, ...routing.cursors } },
    });
  }
  for (const c of input.contacts ?? [])
    await world.store.commit({
      contactId: c.id,
      expectedVersion: 0,
      state: newContactState(c.id, start, c.traits),
      effects: [],
    });
  const random = seededRandom(input.seed);
  const actions = new MinHeap<RepAction>(
    (a) => a.at,
    (a, b) => a.seq < b.seq,
  );
  let seq = 0;
  world.runtime.subscribe((applied) => {
    for (const e of applied.effects) {
      if (e.type !== 'event' || e.name !== 'Handoff Assigned') continue;
      const { rep, handoff } = e.properties as { rep: string; handoff: string };
      const behaviour = model && own(model.reps, rep);
      if (!behaviour || random() >= behaviour.acceptShare) continue;
      actions.push({
        at: e.at + Math.round(exponential(random, (behaviour.acceptSeconds ?? 0) * 1000)),
        seq: seq++,
        handoff,
        rep,
      });
    }
  });
  let repActions = 0;
  for (let i = 0; i < events.length || actions.size > 0; ) {
    const nextEvent = events[i]?.at ?? Infinity;
    const nextAction = actions.peek()?.at ?? Infinity;
    const at = Math.min(nextEvent, nextAction);
    if (at > end) break;
    await advanceTo(world, at);
    if (nextEvent <= nextAction) {
      const next = events[i++]!;
      if ('identity' in next) await world.runtime.identity(next.identity.userId, next.identity.anonymousId);
      else await world.runtime.ingestEvent(next.event);
      continue;
    }
    const action = actions.pop()!;
    try {
      if (action.outcome === undefined) {
        await world.runtime.accept({ handoff: action.handoff, rep: action.rep });
        const h = await world.store.handoff(action.handoff);
        const behaviour = own(model!.reps, action.rep)!;
        const outcome =
          h && h.outcomes.length > 0 ? drawOutcome(random, behaviour, h.journeyId, h.node, h.outcomes) : undefined;
        if (outcome !== undefined)
          actions.push({
            ...action,
            at: action.at + Math.round(exponential(random, (behaviour.outcomeSeconds ?? 0) * 1000)),
            seq: seq++,
            outcome,
          });
      } else {
        await world.runtime.logOutcome({ handoff: action.handoff, rep: action.rep, outcome: action.outcome });
      }
      repActions++;
    } catch (err) {
      if (!(err instanceof BatonError)) throw err; // the handoff moved on (escalated, expired, reassigned): the click is moot
    }
  }
  await advanceTo(world, end);
  const report = await buildReport(world, []);
  return {
    ...report,
    timing: {
      seed: input.seed,
      events: events.length,
      repActions,
      from: formatInstant(start),
      until: formatInstant(end),
    },
  };
}
