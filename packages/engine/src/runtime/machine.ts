import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import type { CompiledJourney, MachineEvent } from '../compile/compileJourney.ts';
import { nodeIdOfKey } from '../compile/compileJourney.ts';

const initialCache = new WeakMap<CompiledJourney, unknown>();
const resolved = new WeakMap<object, AnyMachineSnapshot>();

/** The persisted snapshot of a journey before its first node (computed once per compiled journey). */
export function initialSnapshot(compiled: CompiledJourney): unknown {
  let snap = initialCache.get(compiled);
  if (!snap) {
    snap = compiled.machine.getPersistedSnapshot(initialTransition(compiled.machine)[0]);
    initialCache.set(compiled, snap);
  }
  return snap;
}

/** An executable action as the pure transition returns it: a type and its params, never run by XState. */
export interface ActionObject {
  type: string;
  params?: unknown;
}

/**
 * One pure step of a journey machine: restores the persisted snapshot, applies XState's `transition`,
 * and returns the next persisted snapshot with the actions to carry out.
 */
export function stepMachine(compiled: CompiledJourney, persisted: unknown, event: MachineEvent) {
  const key = persisted as object;
  const snapshot = resolved.get(key) ?? compiled.machine.resolveState(persisted as Parameters<typeof compiled.machine.resolveState>[0]);
  const [next, actions] = transition(compiled.machine, snapshot, event);
  const nextPersisted = compiled.machine.getPersistedSnapshot(next) as unknown as { value: unknown; status: string };
  resolved.set(nextPersisted, next);
  return {
    snapshot: nextPersisted as unknown,
    node: typeof nextPersisted.value === 'string' ? nodeIdOfKey(nextPersisted.value) : null,
    done: next.status === 'done',
    actions: actions as unknown as ActionObject[],
  };
}
