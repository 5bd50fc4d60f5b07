import type { Port } from '../nodes/kind.ts';
import type { ValidationError } from './issues.ts';
import { formatPath } from './issues.ts';

/** A node as the graph checks see it: where it is, where it leads, and whether contacts wait there. */
export interface GraphNode {
  id: string;
  index: number;
  ports: Port[];
  waits: boolean;
  exit: boolean;
}

interface Located {
  node: GraphNode;
  index: number;
  ports: Port[];
}

/**
 * Graph problems of a journey: ports to missing nodes, repeated ids, unreachable nodes and, when every
 * node is well formed (`complete`), nodes that reach no exit and cycles where a contact never waits.
 */
export function graphProblems(start: string, nodes: readonly GraphNode[], complete = true): ValidationError[] {
  const errors: ValidationError[] = [];
  const byId = new Map<string, Located>();
  nodes.forEach((node) => {
    const { index } = node;
    if (byId.has(node.id)) {
      errors.push({ path: formatPath(['nodes', index, 'id']), node: node.id, message: `node id "${node.id}" is used more than once` });
      return;
    }
    byId.set(node.id, { node, index, ports: node.ports });
  });
  for (const { node, index, ports } of byId.values()) {
    for (const port of ports) {
      if (!byId.has(port.target)) {
        errors.push({ path: formatPath(['nodes', index, ...port.path]), node: node.id, message: `port ${port.name} leads to "${port.target}", which is not a node of this journey` });
      }
    }
  }
  if (!byId.has(start)) {
    errors.push({ path: '$.start', node: null, message: `start "${start}" is not a node of this journey` });
    return errors;
  }
  const next = (id: string) => (byId.get(id)?.ports ?? []).map((p) => p.target).filter((t) => byId.has(t));

  const reachable = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) for (const t of next(stack.pop()!)) if (!reachable.has(t)) (reachable.add(t), stack.push(t));
  for (const { node, index } of byId.values()) {
    if (!reachable.has(node.id)) errors.push({ path: formatPath(['nodes', index]), node: node.id, message: `node "${node.id}" cannot be reached from start "${start}"` });
  }

  if (!complete) return errors;
  // Nodes from which some exit can be reached, by walking edges backwards from every exit.
  const incoming = new Map<string, string[]>();
  for (const id of byId.keys()) for (const t of next(id)) incoming.set(t, [...(incoming.get(t) ?? []), id]);
  const reachesExit = new Set<string>();
  const back = [...byId.values()].filter((l) => l.node.exit).map((l) => l.node.id);
  back.forEach((id) => reachesExit.add(id));
  while (back.length > 0) for (const s of incoming.get(back.pop()!) ?? []) if (!reachesExit.has(s)) (reachesExit.add(s), back.push(s));
  for (const { node, index } of byId.values()) {
    if (reachable.has(node.id) && !reachesExit.has(node.id)) {
      errors.push({ path: formatPath(['nodes', index]), node: node.id, message: `no path from node "${node.id}" reaches an exit` });
    }
  }

  for (const cycle of instantCycles(byId, next)) {
    const first = byId.get(cycle[0]!)!;
    errors.push({
      path: formatPath(['nodes', first.index]),
      node: first.node.id,
      message: `nodes ${cycle.join(' → ')} form a cycle with no wait, pause or handoff, so a contact would loop forever`,
    });
  }
  return errors;
}

/** Strongly connected groups of non-waiting nodes that loop (Tarjan's algorithm over the instant subgraph). */
function instantCycles(byId: Map<string, Located>, next: (id: string) => string[]): string[][] {
  const instant = (id: string) => !byId.get(id)!.node.waits;
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
