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
function graphNode(raw: unknown, index: number, stored: boolean): GraphNode[] {
  if (!isObject(raw) || typeof raw.id !== 'string') return [];
  const kind = typeof raw.type === 'string' ? kindOf(raw.type) : undefined;
  const read = kind?.portFields.safeParse(raw);
  const ports = kind && read?.success ? kind.ports(read.data) : null;
  const node: GraphNode = { id: raw.id, index, ports, waits: kind?.waits ?? true, exit: kind?.type === 'exit' };
  // A wait of no time, a pause that times out at once or a handoff that expires at once leads on along
  // that port at the instant it is entered: a cycle through it loops at one instant. A journey already
  // stored (validated before this rule) is not refused for it.
  const instant =
    raw.type === 'wait' && isZeroDuration(raw.duration)
      ? 'next'
      : raw.type === 'pause' && isZeroDuration(raw.timeout)
        ? 'onTimeout'
        : raw.type === 'handoff' && isZeroDuration(raw.expires)
          ? 'onExpire'
          : undefined;
  if (instant !== undefined && !stored) node.instantPorts = new Set([instant]);
  return [node];
}

/** Whether a value is an ISO 8601 duration of no time (`PT0S`, `P0D`). */
function isZeroDuration(value: unknown): boolean {
  if (typeof value !== 'string' || !isIsoDuration(value)) return false;
  return durationMillis(value) < 1; // instants are whole milliseconds
}

/**
 * Checks a journey against SPEC §5 (and the team, when given) and returns every problem at once, each with
 * its JSON path and node id: shape problems, graph problems over every node whose ports can be read, and
 * team problems over every routing target that can be read. The server, the designer and the CLI all
 * validate with this one function.
 */
export function validateJourney(
  raw: unknown,
  team?: unknown,
  options: {
    /**
     * A journey already stored: checked as it was when it was published, so a rule added since (a cycle
     * through a wait of no time) does not keep a server from opening its data or changing its team.
     */
    stored?: boolean;
  } = {},
): ValidationResult {
  const errors: ValidationError[] = [];
  const parsed = Journey.safeParse(raw);
  if (!parsed.success) errors.push(...fromZodIssues(parsed.error.issues, nodeIdAt(raw)));

  const nodes: unknown[] = isObject(raw) && Array.isArray(raw.nodes) ? raw.nodes : [];
  if (nodes.length > 0) {
    const start = isObject(raw) && typeof raw.start === 'string' ? raw.start : null;
    errors.push(
      ...graphProblems(
        start,
        nodes.flatMap((n, i) => graphNode(n, i, options.stored === true)),
      ),
    );
  }
  if (team !== undefined) errors.push(...teamProblems(nodes, team));
  return { valid: errors.length === 0, errors };
}
