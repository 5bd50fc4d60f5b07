import dagre from '@dagrejs/dagre';
import { TRIGGER_NODE } from './convert.ts';
import type { DraftJourney, DraftNode, Position } from './draft.ts';
import { portSlots } from './ports.ts';

/** The size a node takes on the canvas, for layout. */
export const NODE_SIZE = { width: 240, height: 110 };

/** A node is wide enough for a labelled handle per port. */
export const nodeWidth = (node: DraftNode) => Math.max(NODE_SIZE.width, 86 * portSlots(node).length);

/**
 * Lays a journey out top to bottom with dagre, the trigger first: positions for every node. Used on
 * demand and for journeys that arrive without positions (imported, or written by hand).
 */
export function layoutJourney(journey: DraftJourney): Record<string, Position> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 60, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode(TRIGGER_NODE, { ...NODE_SIZE });
  for (const n of journey.nodes) g.setNode(n.id, { width: nodeWidth(n), height: NODE_SIZE.height });
  const ids = new Set(journey.nodes.map((n) => n.id));
  if (journey.start && ids.has(journey.start)) g.setEdge(TRIGGER_NODE, journey.start);
  for (const n of journey.nodes) for (const s of portSlots(n)) if (s.target && ids.has(s.target)) g.setEdge(n.id, s.target);
  dagre.layout(g);
  const positions: Record<string, Position> = {};
  for (const id of g.nodes()) {
    const { x, y, width, height } = g.node(id) as { x: number; y: number; width: number; height: number };
    positions[id] = { x: Math.round(x - width / 2), y: Math.round(y - height / 2) };
  }
  return positions;
}

/** Whether every node (and the trigger) has a position. */
export const isLaidOut = (journey: DraftJourney) => {
  const p = journey.ui?.positions ?? {};
  return p[TRIGGER_NODE] !== undefined && journey.nodes.every((n) => p[n.id] !== undefined);
};
