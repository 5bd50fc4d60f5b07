import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { TRIGGER_NODE } from './convert.ts';
import type { DraftJourney, Position } from './draft.ts';
import { NODE_SIZE, nodeWidth } from './size.ts';
import { portSlots } from './ports.ts';

/** What the layout needs of ELK: its `layout` call (elk.bundled.js in Node and in the layout worker). */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/** A node's size on the canvas, when React Flow has measured it. */
export type Sizes = ReadonlyMap<string, { width: number; height: number }>;

/** Journeys up to this many steps are laid out by ELK; larger ones by the quicker dagre layout. */
export const ELK_LIMIT = 150;
/**
 * Up to this many steps, nodes are placed by network simplex, which puts a step straight under the port
 * that leads to it; it grows steeply (1.7 s for 100 steps, 29 s for 200), so larger journeys use
 * Brandes-Köpf (0.4 s for 100).
 */
export const SIMPLEX_LIMIT = 60;

const LAYOUT = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '60',
  'elk.layered.spacing.nodeNodeBetweenLayers': '110',
  'elk.spacing.edgeNode': '24',
  'elk.spacing.edgeEdge': '12',
  'elk.layered.spacing.edgeNodeBetweenLayers': '24',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '12',
  // Ties go to the order the journey lists its nodes and ports in.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.thoroughness': '7',
};

/**
 * The journey as an ELK graph: a node per step (and the entry) with its ports fixed where the card draws
 * them (the input at the top centre; the outputs along the bottom, one equal cell each, in the order of
 * `portSlots`), and an edge per connected port. Port order is therefore a constraint, not a hint: a
 * branch's left path leads left.
 */
export function elkGraph(journey: DraftJourney, sizes: Sizes = new Map()): ElkNode {
  const ids = new Set(journey.nodes.map((n) => n.id));
  const size = (id: string, width: number) => sizes.get(id) ?? { width, height: NODE_SIZE.height };
  const box = (id: string, width: number, outs: string[]): ElkNode => {
    const s = size(id, width);
    return {
      id,
      width: s.width,
      height: s.height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
      ports: [
        { id: `${id}\u0000in`, x: s.width / 2, y: 0, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'NORTH' } },
        ...outs.map((handle, i) => ({
          id: `${id}\u0000${handle}`,
          x: (s.width * (i + 0.5)) / outs.length,
          y: s.height,
          width: 1,
          height: 1,
          layoutOptions: { 'elk.port.side': 'SOUTH' },
        })),
      ],
    };
  };
  const children = [
    box(TRIGGER_NODE, NODE_SIZE.width, ['start']),
    ...journey.nodes.map((n) =>
      box(
        n.id,
        nodeWidth(n),
        portSlots(n).map((s) => s.handle),
      ),
    ),
  ];
  const edges: ElkNode['edges'] = [];
  if (journey.start && ids.has(journey.start))
    edges.push({
      id: `${TRIGGER_NODE}:start`,
      sources: [`${TRIGGER_NODE}\u0000start`],
      targets: [`${journey.start}\u0000in`],
    });
  for (const n of journey.nodes) {
    for (const s of portSlots(n)) {
      if (s.target !== undefined && ids.has(s.target) && s.target !== n.id)
        edges.push({
          id: `${n.id}:${s.handle}`,
          sources: [`${n.id}\u0000${s.handle}`],
          targets: [`${s.target}\u0000in`],
        });
    }
  }
  const placement = journey.nodes.length <= SIMPLEX_LIMIT ? 'NETWORK_SIMPLEX' : 'BRANDES_KOEPF';
  return {
    id: 'journey',
    layoutOptions: { ...LAYOUT, 'elk.layered.nodePlacement.strategy': placement },
    children,
    edges,
  };
}

/**
 * Lays a journey out with ELK's layered algorithm, top to bottom, port order fixed, room left for
 * orthogonal edges between the layers: a position for every node and the entry.
 */
export async function layoutWithElk(
  journey: DraftJourney,
  elk: ElkLike,
  sizes?: Sizes,
): Promise<Record<string, Position>> {
  const laid = await elk.layout(elkGraph(journey, sizes));
  const positions: Record<string, Position> = {};
  for (const c of laid.children ?? []) positions[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return positions;
}
