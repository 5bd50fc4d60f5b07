import { isObject } from '@baton/engine/internal';

/** The ids of a journey document's handoff nodes (read loosely: the document may be invalid). */
export function handoffNodes(journey: unknown): string[] {
  const nodes = isObject(journey) && Array.isArray(journey.nodes) ? journey.nodes : [];
  return nodes
    .filter((n): n is Record<string, unknown> => isObject(n) && n.type === 'handoff')
    .map((n) => String(n.id));
}
