import dagre from '@dagrejs/dagre';
import { dictionary } from '@baton/engine/internal';
import { TRIGGER_NODE } from './convert.ts';
import type { DraftJourney, Position } from './draft.ts';
import { portSlots } from './ports.ts';
import { NODE_SIZE, nodeWidth } from './size.ts';

/** The journey's connections (the entry's start first), by node. */
function successors(journey: DraftJourney, ids: Set<string>): Map<string, string[]> {
  const next = new Map<string, string[]>([
    [TRIGGER_NODE, journey.start && ids.has(journey.start) ? [journey.start] : []],
  ]);
  for (const n of journey.nodes)
    next.set(
      n.id,
      portSlots(n)
        .map((s) => s.target)
        .filter((t): t is string => t !== undefined && ids.has(t)),
    );
  return next;
}

/**
 * Each node's rank: the longest path to it from the entry, with the edges that close a cycle left out.
 * Unreachable nodes start their own chains at rank 0.
 */
function ranks(order: string[], next: Map<string, string[]>): Map<string, number> {
  // Back edges by depth-first search from the entry, then the rest.
  const state = new Map<string, 'open' | 'done'>();
  const back = new Set<string>();
  for (const root of order) {
    if (state.has(root)) continue;
    const stack: [string, number][] = [[root, 0]];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = next.get(top[0]) ?? [];
      if (top[1] >= targets.length) {
        state.set(top[0], 'done');
        stack.pop();
        continue;
      }
      const t = targets[top[1]++]!;
      if (state.get(t) === 'open') back.add(`${top[0]}>${t}`);
      else if (!state.has(t)) {
        state.set(t, 'open');
        stack.push([t, 0]);
      }
    }
  }
  const indegree = new Map(order.map((id) => [id, 0]));
  for (const [from, targets] of next)
    for (const t of targets) if (!back.has(`${from}>${t}`)) indegree.set(t, (indegree.get(t) ?? 0) + 1);
  const rank = new Map(order.map((id) => [id, 0]));
  const queue = order.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i]!;
    for (const t of next.get(from) ?? []) {
      if (back.has(`${from}>${t}`)) continue;
      rank.set(t, Math.max(rank.get(t)!, rank.get(from)! + 1));
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) queue.push(t);
    }
  }
  return rank;
}

/**
 * Lays a journey out top to bottom with dagre, the entry first: positions for every node. Used on demand
 * and for journeys that arrive without positions (imported, or written by hand).
 *
 * dagre routes a long edge through a dummy node per rank it crosses, which made a 500-step journey take
 * 23 s (every branch's "otherwise" to one far exit). Edges spanning more than two ranks of the longest
 * path are therefore left out of the layout; the canvas still draws them.
 */
export function layoutJourney(journey: DraftJourney): Record<string, Position> {
  const ids = new Set(journey.nodes.map((n) => n.id));
  const next = successors(journey, ids);
  const rank = ranks([TRIGGER_NODE, ...journey.nodes.map((n) => n.id)], next);
  // dagre keeps nodes in plain objects: a node id such as `constructor` or `__proto__` goes in as `#constructor`
  // (`#` is never in an id), so it cannot reach Object.prototype; other ids go in as they are.
  const keyOf = (id: string) => (id in Object.prototype ? `#${id}` : id);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 60, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode(TRIGGER_NODE, { ...NODE_SIZE });
  for (const n of journey.nodes) g.setNode(keyOf(n.id), { width: nodeWidth(n), height: NODE_SIZE.height });
  for (const [from, targets] of next) {
    for (const t of targets) {
      const span = rank.get(t)! - rank.get(from)!;
      if (span >= 1 && span <= 2) g.setEdge(keyOf(from), keyOf(t));
    }
  }
  dagre.layout(g);
  const positions = dictionary<Position>();
  for (const id of [TRIGGER_NODE, ...ids]) {
    const { x, y, width, height } = g.node(keyOf(id)) as { x: number; y: number; width: number; height: number };
    positions[id] = { x: Math.round(x - width / 2), y: Math.round(y - height / 2) };
  }
  return positions;
}
