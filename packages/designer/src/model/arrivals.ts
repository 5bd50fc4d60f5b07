import type { CanvasEdge } from './convert.ts';
import type { Position } from './draft.ts';

/** How far apart the edges arriving at one node end on its top border (px). */
export const ARRIVAL_GAP = 22;

/**
 * Where each edge ends on its target's top border, as an offset from the centre, and the lane it turns
 * in above the target (0 nearest). Edges into one node (a handoff's outcomes into one exit) each get their
 * own end, ordered by where they come from, so that no two share the last segment.
 */
export function arrivals(
  edges: readonly Pick<CanvasEdge, 'id' | 'source' | 'target' | 'port'>[],
  portX: (edge: Pick<CanvasEdge, 'source' | 'port'>) => number,
  width: (node: string) => number,
): Map<string, { offset: number; lane: number }> {
  const byTarget = new Map<string, { id: string; x: number }[]>();
  for (const e of edges) {
    const list = byTarget.get(e.target) ?? [];
    list.push({ id: e.id, x: portX(e) });
    byTarget.set(e.target, list);
  }
  const out = new Map<string, { offset: number; lane: number }>();
  for (const [target, list] of byTarget) {
    list.sort((a, b) => a.x - b.x || (a.id < b.id ? -1 : 1));
    const gap = Math.min(ARRIVAL_GAP, (width(target) - 40) / Math.max(1, list.length - 1));
    list.forEach((e, i) => out.set(e.id, { offset: (i - (list.length - 1) / 2) * gap, lane: i }));
  }
  return out;
}

/** The x of a port on a node placed at `position`: ports share the card's width in equal cells. */
export const portCentre = (position: Position, width: number, port: number, ports: number) =>
  position.x + (width * (port + 0.5)) / Math.max(1, ports);
