import type { DraftJourney } from './draft.ts';

/** A step found by its name or id. */
export interface StepMatch {
  id: string;
  type: string;
  label: string | null;
}

/**
 * The steps whose id or label holds the query (case-insensitive), best first: an exact id, then ids and
 * labels that start with it, then the rest in journey order. At most `limit`.
 */
export function findSteps(journey: DraftJourney, query: string, limit = 8): StepMatch[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const scored: { match: StepMatch; score: number; i: number }[] = [];
  journey.nodes.forEach((n, i) => {
    const label = typeof n.label === 'string' && n.label ? n.label : null;
    const id = n.id.toLowerCase();
    const name = label?.toLowerCase() ?? '';
    const score =
      id === q || name === q
        ? 0
        : id.startsWith(q) || name.startsWith(q)
          ? 1
          : id.includes(q) || name.includes(q)
            ? 2
            : -1;
    if (score >= 0) scored.push({ match: { id: n.id, type: n.type, label }, score, i });
  });
  return scored
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .slice(0, limit)
    .map((s) => s.match);
}
