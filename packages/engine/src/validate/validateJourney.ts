import { Journey } from '../nodes/journey.ts';
import { isIsoDuration, isObject } from '../model/primitives.ts';
import { durationMillis } from '../model/time.ts';
import { kindOf } from '../nodes/registry.ts';
import { graphProblems, type GraphNode } from './graph.ts';
import type { ValidationError, ValidationResult } from '../model/errors.ts';
import { fromZodIssues } from './issues.ts';
import { teamProblems } from './team.ts';

function nodeIdAt(raw: unknown): (path: readonly PropertyKey[]) => string | null {
  return (path) => {
    if (path[0] !== 'nodes' || typeof path[1] !== 'number' || !isObject(raw) || !Array.isArray(raw.nodes)) return null;
    const node: unknown = raw.nodes[path[1]];
    return isObject(node) && typeof node.id === 'string' ? node.id : null;
  };
}

/**
 * A node as the graph checks see it. Its ports are read by its type's `portFields` alone, so a node with
 * some other field malformed still takes part; a node without a string id cannot be linked to and is left out.
 */
function graphNode(raw: unknown, index: number): GraphNode[] {
  if (!isObject(raw) || typeof raw.id !== 'string') return [];
  const kind = typeof raw.type === 'string' ? kindOf(raw.type) : undefined;
  const read = kind?.portFields.safeParse(raw);
  const ports = kind && read?.success ? kind.ports(read.data) : null;
  // A wait of no time, or a pause that times out at once, holds nobody: in a cycle it loops at one instant.
  const instantly =
    (raw.type === 'wait' && isZeroDuration(raw.duration)) || (raw.type === 'pause' && isZeroDuration(raw.timeout));
  return [{ id: raw.id, index, ports, waits: (kind?.waits ?? true) && !instantly, exit: kind?.type === 'exit' }];
}

/** Whether a value is an ISO 8601 duration of no time (`PT0S`, `P0D`). */
function isZeroDuration(value: unknown): boolean {
  if (typeof value !== 'string' || !isIsoDuration(value)) return false;
  return durationMillis(value) === 0;
}

/**
 * Checks a journey against SPEC §5 (and the team, when given) and returns every problem at once, each with
 * its JSON path and node id: shape problems, graph problems over every node whose ports can be read, and
 * team problems over every routing target that can be read. The server, the designer and the CLI all
 * validate with this one function.
 */
export function validateJourney(raw: unknown, team?: unknown): ValidationResult {
  const errors: ValidationError[] = [];
  const parsed = Journey.safeParse(raw);
  if (!parsed.success) errors.push(...fromZodIssues(parsed.error.issues, nodeIdAt(raw)));

  const nodes: unknown[] = isObject(raw) && Array.isArray(raw.nodes) ? raw.nodes : [];
  if (nodes.length > 0) {
    const start = isObject(raw) && typeof raw.start === 'string' ? raw.start : null;
    errors.push(...graphProblems(start, nodes.flatMap(graphNode)));
  }
  if (team !== undefined) errors.push(...teamProblems(nodes, team));
  return { valid: errors.length === 0, errors };
}
