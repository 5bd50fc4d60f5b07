import { dictionary, own } from '@baton/engine/internal';
import type { DraftJourney, DraftNode, Position } from './draft.ts';
import { portSlots } from './ports.ts';

/** The canvas's entry node, standing for the journey's trigger. */
export const TRIGGER_NODE = '$trigger';

/** A canvas node as React Flow takes it, with the journey node (or the trigger) as its data. */
export interface CanvasNode {
  id: string;
  type: string;
  position: Position;
  data: { node: DraftNode } | { trigger: DraftJourney['trigger'] };
}

/** A canvas edge: one connected port. */
export interface CanvasEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  /** The port's place on its node, left to right (the entry's start is 0). */
  port: number;
  /** What the edge says: the path label or outcome of its port; empty for a node's only `next` and the start. */
  label: string;
}

/** Everything of the journey that is not its nodes' place on the canvas. */
// (A mapped type: Omit would collapse the named fields into the index signature.)
export type JourneyMeta = { [K in keyof DraftJourney as K extends 'nodes' ? never : K]: DraftJourney[K] };

export interface Canvas {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  meta: JourneyMeta;
}

// A journey node's canvas data, kept per node object: an edit replaces only the nodes it changes (see
// applyChange), so re-deriving the canvas after it clones only those, not all 1,000 of a long journey.
const stripped = new WeakMap<DraftNode, DraftNode>();
const withoutPorts = (node: DraftNode): DraftNode => {
  let copy = stripped.get(node);
  if (!copy) stripped.set(node, (copy = strip(node)));
  return copy;
};
const strip = (node: DraftNode): DraftNode => {
  const copy = structuredClone(node);
  for (const slot of portSlots(node)) {
    let parent: unknown = copy;
    for (const key of slot.path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    const last = slot.path.at(-1)!;
    // Outcome names stay (they are the handoff's outcomes); only where they lead moves to edges.
    if (slot.path[0] === 'outcomes') (parent as Record<string, unknown>)[last as string] = '';
    else delete (parent as Record<string | number, unknown>)[last];
  }
  return copy;
};

/**
 * Journey JSON → canvas: one node per journey node (plus the trigger), one edge per connected port.
 * Positions come from `ui.positions`; a node without one gets `fallback` (the caller lays them out).
 */
export function toCanvas(journey: DraftJourney, fallback: (id: string) => Position = () => ({ x: 0, y: 0 })): Canvas {
  const { nodes, ...meta } = journey;
  const positions = journey.ui?.positions ?? {};
  const canvasNodes: CanvasNode[] = [
    {
      id: TRIGGER_NODE,
      type: 'trigger',
      position: own(positions, TRIGGER_NODE) ?? fallback(TRIGGER_NODE),
      data: { trigger: journey.trigger },
    },
    ...nodes.map((node) => ({
      id: node.id,
      type: node.type,
      position: own(positions, node.id) ?? fallback(node.id),
      data: { node: withoutPorts(node) },
    })),
  ];
  const edges: CanvasEdge[] = [];
  if (journey.start)
    edges.push({
      id: `${TRIGGER_NODE}:start`,
      source: TRIGGER_NODE,
      sourceHandle: 'start',
      target: journey.start,
      port: 0,
      label: '',
    });
  for (const node of nodes) {
    const slots = portSlots(node);
    slots.forEach((slot, port) => {
      const label = slots.length === 1 && slot.label === 'next' ? '' : slot.label;
      if (slot.target !== undefined)
        edges.push({
          id: `${node.id}:${slot.handle}`,
          source: node.id,
          sourceHandle: slot.handle,
          target: slot.target,
          port,
          label,
        });
    });
  }
  return { nodes: canvasNodes, edges, meta: structuredClone(meta) };
}

/**
 * Canvas → journey JSON: the nodes' data with each edge written back into its port, positions into
 * `ui.positions`. `toJourney(toCanvas(j))` is `j` for every journey whose nodes all have positions.
 */
export function toJourney(canvas: Canvas): DraftJourney {
  const byId = new Map<string, DraftNode>();
  const positions = dictionary<Position>(); // keyed by node ids: `__proto__` is a node like any other
  let trigger: DraftJourney['trigger'] = canvas.meta.trigger;
  for (const n of canvas.nodes) {
    positions[n.id] = { x: n.position.x, y: n.position.y };
    if ('trigger' in n.data) trigger = n.data.trigger;
    else byId.set(n.id, structuredClone(n.data.node));
  }
  let start: string | undefined = canvas.meta.start;
  for (const e of canvas.edges) {
    if (e.source === TRIGGER_NODE) {
      start = e.target;
      continue;
    }
    const node = byId.get(e.source);
    const slot = node && portSlots(node).find((s) => s.handle === e.sourceHandle);
    if (!node || !slot) continue;
    let parent: unknown = node;
    for (const key of slot.path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    (parent as Record<string | number, unknown>)[slot.path.at(-1)!] = e.target;
  }
  const journey = { ...(structuredClone(canvas.meta) as JourneyMeta), nodes: [...byId.values()] } as DraftJourney;
  if (trigger !== undefined) journey.trigger = trigger;
  if (start !== undefined) journey.start = start;
  journey.ui = { ...journey.ui, positions };
  return journey;
}
