import { predicateFor } from '../conditions/cache.ts';
import type { ConditionShape } from '../model/condition.ts';
import type { EvalEnv } from '../conditions/env.ts';
import { pickVariant } from './hash.ts';

/** Every event a journey machine receives carries the evaluation environment for its guards. */
export interface MachineEvent {
  type: string;
  env: EvalEnv;
  journeyId?: string;
  outcome?: string;
}

/** The guards journey machines use: each a pure function of the machine event and its static params. */
export const GUARDS = {
  'baton.condition': (event: MachineEvent, params: { when: ConditionShape }) => predicateFor(params.when)(event.env),
  'baton.variant': (event: MachineEvent, params: { node: string; weights: number[]; index: number }) =>
    pickVariant(event.journeyId ?? '', params.node, event.env.contactId, params.weights) === params.index,
  'baton.outcomeIs': (event: MachineEvent, params: { outcome: string }) => event.outcome === params.outcome,
};

export type GuardName = keyof typeof GUARDS;

/** One guard XState evaluated during a transition, in the order it did. */
export interface GuardCall {
  guard: GuardName;
  params: unknown;
  result: boolean;
}

let trace: GuardCall[] | null = null;

/** Evaluates a guard by name, as XState would. */
export function evaluateGuard(guard: GuardName, event: MachineEvent, params: unknown): boolean {
  return GUARDS[guard](event, params as never);
}

/** Runs `work` and returns the guards XState evaluated during it, in order. */
export function traceGuards<T>(work: () => T): { value: T; calls: GuardCall[] } {
  const calls: GuardCall[] = [];
  trace = calls;
  try {
    return { value: work(), calls };
  } finally {
    trace = null;
  }
}

/** The guard implementations handed to XState's `setup`: they evaluate and, while traced, record. */
export const xstateGuards = Object.fromEntries(
  (Object.keys(GUARDS) as GuardName[]).map((guard) => [
    guard,
    ({ event }: { event: MachineEvent }, params: unknown) => {
      const result = evaluateGuard(guard, event, params);
      trace?.push({ guard, params, result });
      return result;
    },
  ]),
) as { [K in GuardName]: ({ event }: { event: MachineEvent }, params: Parameters<(typeof GUARDS)[K]>[1]) => boolean };
