import { setup, type AnyStateMachine } from 'xstate';
import type { Journey, JourneyNode } from '../nodes/journey.ts';
import { kindOf } from '../nodes/registry.ts';
import type { StateConfig } from '../nodes/kind.ts';
import { xstateGuards, type MachineEvent } from './guards.ts';

/** The state before the first node: the contact has matched the trigger and is about to enter. */
export const TRIGGER_STATE = '$trigger';

const withoutDots = (id: string) => id.replaceAll('%', '%25').replaceAll('.', '%2E');

/**
 * A state key for a node id. XState reads `.` as a path separator, so dots are escaped; and it keeps
 * states in plain objects, where a key `__proto__` would replace the prototype, so that id is escaped too.
 */
export function stateKey(nodeId: string): string {
  const key = withoutDots(nodeId);
  return key === '__proto__' ? '%5F_proto__' : key;
}

/** The node id of a state key. */
export function nodeIdOfKey(key: string): string {
  return key.replace(/%(2E|5F|25)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The XState machine config (plain JSON) a journey compiles to: one state per node, ports as transitions. */
export function machineConfig(journey: Journey): Record<string, unknown> {
  const ctx = { key: stateKey };
  const states: Record<string, StateConfig> = {
    [TRIGGER_STATE]: { on: { 'baton.enter': { target: stateKey(journey.start) } } },
  };
  for (const node of journey.nodes) {
    const key = stateKey(node.id);
    states[key] = reenteringSelf(key, kindOf(node.type)!.toState(node, ctx));
  }
  return { id: withoutDots(journey.id), initial: TRIGGER_STATE, states };
}

/**
 * A port that leads a node back to itself (a handoff's `retry` outcome, a pause or wait that starts over)
 * enters it again, as any other port enters its node: its timers are cancelled and set again, a handoff
 * makes a new record, and the path lists it twice (SPEC §8). XState v5 leaves a state's transition to
 * itself without exiting and re-entering unless the transition says `reenter: true`.
 */
function reenteringSelf(key: string, state: StateConfig): StateConfig {
  const mark = (t: unknown): unknown => {
    if (Array.isArray(t)) return t.map(mark);
    if (t === key) return { target: key, reenter: true };
    if (typeof t === 'object' && t !== null && (t as { target?: unknown }).target === key)
      return { ...(t as object), reenter: true };
    return t;
  };
  const out: StateConfig = { ...state };
  if (state.on !== undefined)
    out.on = Object.fromEntries(Object.entries(state.on as Record<string, unknown>).map(([e, t]) => [e, mark(t)]));
  if (state.always !== undefined) out.always = mark(state.always);
  return out;
}

const baton = setup({
  types: { events: {} as MachineEvent },
  guards: xstateGuards,
});

/** A journey ready to run: its machine, its nodes by id, and the config it came from. */
export interface CompiledJourney {
  journey: Journey;
  machine: AnyStateMachine;
  config: Record<string, unknown>;
  nodes: ReadonlyMap<string, JourneyNode>;
}

/** Compiles a valid journey (see validateJourney) into an XState v5 machine. */
export function compileJourney(journey: Journey): CompiledJourney {
  const config = machineConfig(journey);
  const machine = baton.createMachine(config as Parameters<typeof baton.createMachine>[0]);
  return { journey, machine, config, nodes: new Map(journey.nodes.map((n) => [n.id, n])) };
}
