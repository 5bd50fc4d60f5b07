import { Journey, JourneyNode } from '../model/journey.ts';
import type { RouteTarget } from '../model/target.ts';
import { Team } from '../model/team.ts';
import { isObject } from '../model/primitives.ts';
import { kindOf } from '../nodes/registry.ts';
import type { Port } from '../nodes/kind.ts';
import { graphProblems, type GraphNode } from './graph.ts';
import { formatPath, fromZodIssues, type ValidationError, type ValidationResult } from './issues.ts';


function nodeIdAt(raw: unknown): (path: readonly PropertyKey[]) => string | null {
  return (path) => {
    if (path[0] !== 'nodes' || typeof path[1] !== 'number' || !isObject(raw) || !Array.isArray(raw.nodes)) return null;
    const node: unknown = raw.nodes[path[1]];
    return isObject(node) && typeof node.id === 'string' ? node.id : null;
  };
}

/** Ports read straight from a node that may be malformed, so graph problems are found alongside shape problems. */
function rawPorts(node: Record<string, unknown>): Port[] {
  const ports: Port[] = [];
  const add = (name: string, path: (string | number)[], target: unknown) => {
    if (typeof target === 'string') ports.push({ name, path, target });
  };
  for (const key of ['next', 'otherwise', 'onTimeout', 'onExpire']) add(key, [key], node[key]);
  for (const list of ['paths', 'variants']) {
    const items = node[list];
    if (Array.isArray(items)) items.forEach((item: unknown, i) => isObject(item) && add(`${list}[${i}]`, [list, i, 'next'], item.next));
  }
  if (isObject(node.outcomes)) for (const [o, target] of Object.entries(node.outcomes)) add(`outcomes.${o}`, ['outcomes', o], target);
  return ports;
}

/** A node as the graph checks see it, and whether it is well formed (then its ports come from its kind). */
function graphNode(raw: unknown, index: number): { node: GraphNode | null; wellFormed: boolean } {
  const parsed = JourneyNode.safeParse(raw);
  if (!isObject(raw) || typeof raw.id !== 'string') return { node: null, wellFormed: false };
  const kind = kindOf(typeof raw.type === 'string' ? raw.type : '');
  const node = { id: raw.id, index, ports: parsed.success ? kind!.ports(parsed.data) : rawPorts(raw), waits: kind?.waits ?? true, exit: raw.type === 'exit' };
  return { node, wellFormed: parsed.success };
}

function teamProblems(journey: Journey, team: Team): ValidationError[] {
  const reps = new Set(team.reps.map((r) => r.id));
  const queues = new Set(team.queues.map((q) => q.id));
  const errors: ValidationError[] = [];
  const check = (target: RouteTarget, path: PropertyKey[], node: string) => {
    if ('rep' in target && !reps.has(target.rep)) errors.push({ path: formatPath([...path, 'rep']), node, message: `unknown rep "${target.rep}" (not in the team)` });
    if ('queue' in target && !queues.has(target.queue)) errors.push({ path: formatPath([...path, 'queue']), node, message: `unknown queue "${target.queue}" (not in the team)` });
  };
  journey.nodes.forEach((n, i) => {
    if (n.type === 'handoff') {
      n.route.forEach((rule, r) => check(rule.to, ['nodes', i, 'route', r, 'to'], n.id));
      if (n.fallback) check(n.fallback, ['nodes', i, 'fallback'], n.id);
      if (n.sla?.escalate) check(n.sla.escalate, ['nodes', i, 'sla', 'escalate'], n.id);
    }
    if (n.type === 'action' && n.action === 'notify' && typeof n.params.to === 'string' && n.params.to !== 'owner' && !reps.has(n.params.to)) {
      errors.push({ path: formatPath(['nodes', i, 'params', 'to']), node: n.id, message: `unknown rep "${n.params.to}" (not in the team)` });
    }
  });
  return errors;
}

/**
 * Checks a journey against SPEC §5 (and the team, when given) and returns every problem at once, each with
 * its JSON path and node id. The server, the designer and the CLI all validate with this one function.
 */
export function validateJourney(raw: unknown, team?: unknown): ValidationResult {
  const errors: ValidationError[] = [];
  const parsed = Journey.safeParse(raw);
  if (!parsed.success) errors.push(...fromZodIssues(parsed.error.issues, nodeIdAt(raw)));

  if (isObject(raw) && Array.isArray(raw.nodes) && typeof raw.start === 'string') {
    const seen = raw.nodes.map(graphNode);
    const nodes = seen.flatMap((s) => (s.node ? [s.node] : []));
    errors.push(...graphProblems(raw.start, nodes, seen.every((s) => s.wellFormed)));
  }

  if (team !== undefined) {
    const parsedTeam = Team.safeParse(team);
    if (!parsedTeam.success) {
      errors.push(...parsedTeam.error.issues.map((i) => ({ path: formatPath(i.path), node: null, message: `team: ${i.message}` })));
    } else if (parsed.success) {
      errors.push(...teamProblems(parsed.data, parsedTeam.data));
    }
  }
  return { valid: errors.length === 0, errors };
}
