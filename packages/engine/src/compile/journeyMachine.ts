import { assign, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import type { EvalEnv } from '../conditions/env.ts';
import type { HistoryEvent } from '../conditions/timeline.ts';
import type { Clock } from '../model/time.ts';
import { Workspace } from '../model/workspace.ts';
import type { Journey } from '../nodes/journey.ts';
import { scoreInput, scoreReader } from '../scores/score.ts';
import { machineConfig, nodeIdOfKey } from './compileJourney.ts';
import { GUARDS, type GuardName, type MachineEvent } from './guards.ts';

/** An event sent to a standalone journey machine: `baton.*` events, or a contact's event by name with its properties. */
export interface JourneyMachineEvent {
  type: string;
  properties?: Record<string, unknown>;
  /** The outcome a human logged (with `baton.outcome`). */
  outcome?: string;
}

/** An effect the journey asked for (a message, a handoff, a timer), recorded instead of carried out. */
export interface RecordedEffect {
  type: string;
  params: Record<string, unknown>;
}

/** What a standalone journey machine keeps: the contact, the path so far, and the effects it asked for. */
export interface JourneyMachineContext {
  contactId: string;
  traits: Record<string, unknown>;
  history: readonly HistoryEvent[];
  path: string[];
  effects: RecordedEffect[];
  outcome: string | null;
}

/** Options of `journeyMachine`: the workspace's score models and the clock conditions count time by. */
export interface JourneyMachineOptions {
  workspace?: Workspace;
  /** Default: a clock standing at 0 (the epoch), so a run is deterministic. */
  clock?: Clock;
}

/** The input of `createActor(machine, { input })`: the contact the journey runs for. */
export interface JourneyMachineInput {
  contact?: { id: string; traits?: Record<string, unknown> };
  /** The contact's earlier events, oldest first, for event-count conditions and scores. */
  history?: HistoryEvent[];
}

const paramsOf = (params: unknown) => (params ?? {}) as Record<string, unknown>;

/**
 * A journey's XState v5 machine with Baton's guards and actions provided, for plain `createActor`: in a
 * browser, a test or Stately's visualizer, without Baton's runtime. Guards read the contact from the
 * context and the event being handled; actions record the path, traits set by `update_contact`, the
 * effects asked for (messages, handoffs, timers) and the exit's outcome. Timers are not started: send
 * `baton.timer.wait`, `baton.timer.timeout` or `baton.timer.expire` to move on, `baton.outcome` with an
 * `outcome` to close a handoff, and `baton.enter` to enter the first node.
 */
export function journeyMachine(journey: Journey, options: JourneyMachineOptions = {}): AnyStateMachine {
  const workspace = options.workspace ?? Workspace.parse({});
  const clock = options.clock ?? { now: () => 0 };
  const envOf = (context: JourneyMachineContext, event: JourneyMachineEvent): MachineEvent => {
    const now = clock.now();
    const contact = { id: context.contactId, traits: context.traits, history: context.history };
    const env: EvalEnv = {
      contactId: context.contactId,
      traits: context.traits,
      history: context.history,
      now,
      score: scoreReader(workspace, scoreInput(contact, now)),
      event: event.type.startsWith('baton.') ? undefined : { name: event.type, properties: event.properties ?? {} },
    };
    return {
      type: event.type,
      env,
      journeyId: journey.id,
      ...(event.outcome === undefined ? {} : { outcome: event.outcome }),
    };
  };
  const guard =
    (name: GuardName) =>
    ({ context, event }: { context: JourneyMachineContext; event: JourneyMachineEvent }, params: unknown) =>
      GUARDS[name](envOf(context, event), params as never);
  const baton = setup({
    types: {
      context: {} as JourneyMachineContext,
      events: {} as JourneyMachineEvent,
      input: {} as JourneyMachineInput,
    },
    guards: {
      'baton.condition': guard('baton.condition'),
      'baton.variant': guard('baton.variant'),
      'baton.outcomeIs': guard('baton.outcomeIs'),
    },
    actions: {
      'baton.enter': assign(({ context }, params: unknown) => ({
        path: [...context.path, String(paramsOf(params).node)],
      })),
      'baton.exit': assign((_, params: unknown) => ({ outcome: String(paramsOf(params).outcome) })),
      // update_contact sets traits, then moves on as the runtime does once it has applied them.
      'baton.action': enqueueActions(({ context, enqueue }, params: unknown) => {
        const action = paramsOf(params);
        enqueue.assign({ effects: [...context.effects, { type: 'baton.action', params: action }] });
        if (action.action === 'update_contact') {
          enqueue.assign({ traits: { ...context.traits, ...paramsOf(paramsOf(action.params).traits) } });
          enqueue.raise({ type: 'baton.continue' });
        }
      }),
      'baton.handoff': assign(({ context }, params: unknown) => ({
        effects: [...context.effects, { type: 'baton.handoff', params: paramsOf(params) }],
      })),
      'baton.schedule': assign(({ context }, params: unknown) => ({
        effects: [...context.effects, { type: 'baton.schedule', params: paramsOf(params) }],
      })),
      'baton.expireHandoff': assign(({ context }, params: unknown) => ({
        effects: [...context.effects, { type: 'baton.expireHandoff', params: paramsOf(params) }],
      })),
      'baton.cancelTimers': () => {},
      'baton.took': () => {},
    },
  });
  const config = machineConfig(journey);
  return baton.createMachine({
    ...(config as object),
    context: ({ input }) => ({
      contactId: input?.contact?.id ?? 'contact',
      traits: { ...(input?.contact?.traits ?? {}) },
      history: input?.history ?? [],
      path: [],
      effects: [],
      outcome: null,
    }),
  } as Parameters<typeof baton.createMachine>[0]);
}

/** The node a standalone journey machine's snapshot stands at (its state value is an escaped key). */
export const nodeOfSnapshot = (snapshot: { value: unknown }): string => nodeIdOfKey(String(snapshot.value));
