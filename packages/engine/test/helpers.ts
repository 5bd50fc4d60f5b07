import type { EvalEnv, HistoryEvent } from '../src/internal.ts';

export const T0 = Date.parse('2026-11-23T09:00:00Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** An evaluation environment for condition tests. */
export function env(over: Partial<EvalEnv> & { scores?: Record<string, number> } = {}): EvalEnv {
  const { scores = {}, ...rest } = over;
  return {
    contactId: 'c1',
    traits: {},
    history: [] as HistoryEvent[],
    now: T0,
    score: (name) => (Object.hasOwn(scores, name) ? scores[name] : undefined),
    ...rest,
  };
}

/** A minimal valid journey with the given nodes (start defaults to the first node). */
export function journey(nodes: unknown[], over: Record<string, unknown> = {}) {
  return {
    schema: 'baton.journey/v1',
    id: 'j',
    name: 'Test journey',
    trigger: { event: 'Signed Up' },
    start: (nodes[0] as { id: string }).id,
    nodes,
    ...over,
  };
}
