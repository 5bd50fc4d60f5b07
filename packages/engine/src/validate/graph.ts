import type { Port } from '../nodes/kind.ts';
import type { ValidationError } from '../model/errors.ts';
import { formatPath } from './issues.ts';

/** A node as the graph checks see it: where it is, where it leads, and whether contacts wait there. */
export interface GraphNode {
  id: string;
  index: number;
  /** The node's ports, or null when they cannot be read (an unknown type, a port that is not an id). */
  ports: Port[] | null;
  waits: boolean;
  exit: boolean;
  /** Ports of a waiting node that lead on at the instant it is entered (a wait of no time), by name. */
  instantPorts?: ReadonlySet<string>;
}

/**
 * Graph problems of a journey: ports to missing nodes, repeated ids, unreachable nodes, nodes that reach
 * no exit and cycles where a contact never waits. A node whose ports cannot be read may lead anywhere, so
 * it is taken to reach an exit, and no node is called unreachable while such a node can be reached.
 * `start` is null when the journey's start cannot be read.
 */
export function graphProblems(start: string | null, nodes: readonly GraphNode[]): ValidationError[] {
  const errors: ValidationError[] = [];
  const byId = new Map<string, GraphNode>();
  for (const node of nodes) {
    if (byId.has(node.id)) {
      errors.push({
        path: formatPath(['nodes', node.index, 'id']),
        node: node.id,
        message: `node id "${node.id}" is used more than once`,
      });
    } else byId.set(node.id, node);
  }
  for (const node of byId.values()) {
    for (const port of node.ports ?? []) {
      if (!byId.has(port.target)) {
        errors.push({
          path: formatPath(['nodes', node.index, ...port.path]),
          node: node.id,
          message: `port ${port.name} leads to "${port.target}", which is not a node of this journey`,
        });
      }
    }
  }
  const next = (id: string) => (byId.get(id)?.ports ?? []).map((p) => p.target).filter((t) => byId.has(t));

  // Which nodes the checks below speak for: those reachable from start, or every node when that is unknown.
  let scope = new Set(byId.keys());
  if (start !== null && !byId.has(start))
    errors.push({ path: '$.start', node: null, message: `start "${start}" is not a node of this journey` });
  else if (start !== null) {
    const reachable = walk([start], next);
    if ([...reachable].every((id) => byId.get(id)!.ports !== null)) {
      for (const node of byId.values()) {
        if (!reachable.has(node.id))
          errors.push({
            path: formatPath(['nodes', node.index]),
            node: node.id,
            message: `node "${node.id}" cannot be reached from start "${start}"`,
          });
      }
      scope = reachable;
    }
  }

  const incoming = new Map<string, string[]>();
  for (const id of byId.keys()) for (const t of next(id)) incoming.set(t, [...(incoming.get(t) ?? []), id]);
  const reachesExit = walk(
    [...byId.values()].filter((n) => n.exit || n.ports === null).map((n) => n.id),
    (id) => incoming.get(id) ?? [],
  );
  for (const node of byId.values()) {
    if (scope.has(node.id) && !reachesExit.has(node.id)) {
      errors.push({
        path: formatPath(['nodes', node.index]),
        node: node.id,
        message: `no path from node "${node.id}" reaches an exit`,
      });
    }
  }

  for (const cycle of instantCycles(byId)) {
    const first = byId.get(cycle[0]!)!;
    const timeless = cycle.some((id) => byId.get(id)!.waits);
    errors.push({
      path: formatPath(['nodes', first.index]),
      node: first.id,
      message: `nodes ${cycle.join(' → ')} form a cycle with no wait, pause or handoff${timeless ? ' that takes time' : ''}, so a contact would loop forever`,
    });
  }
  return errors;
}

/** Every node reachable from `from` along `next`, `from` included. */
function walk(from: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set(from);
  const stack = [...from];
  while (stack.length > 0) for (const t of next(stack.pop()!)) if (!seen.has(t)) seen.add(t), stack.push(t);
  return seen;
}

/**
 * Strongly connected groups of nodes that loop at one instant (Tarjan's algorithm over the instant
 * subgraph): every port of a node that does not wait, and a waiting node's ports that lead on at once.
 */
function instantCycles(byId: Map<string, GraphNode>): string[][] {
  // A node whose ports cannot be read is left out: where it leads is unknown.
  const instant = (id: string) => byId.get(id)!.ports !== null;
  const next = (id: string) => {
    const node = byId.get(id)!;
    return (node.ports ?? [])
      .filter((p) => !node.waits || node.instantPorts?.has(p.name))
      .map((p) => p.target)
      .filter((t) => byId.has(t));
  };
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v).filter(instant)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || next(v).includes(v)) cycles.push(group.reverse());
    }
  };
  for (const id of byId.keys()) if (instant(id) && !index.has(id)) visit(id);
  return cycles;
}
