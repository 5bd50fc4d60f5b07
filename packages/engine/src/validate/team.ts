import { isObject } from '../model/primitives.ts';
import { RouteTarget } from '../model/target.ts';
import { Team } from '../model/team.ts';
import type { ValidationError } from '../model/errors.ts';
import { kindOf } from '../nodes/registry.ts';
import { formatPath, fromZodIssues } from './issues.ts';

/** The ids a team declares; null where they cannot be read, so nothing is checked against them. */
interface TeamIds {
  reps: Set<string> | null;
  queues: Set<string> | null;
}

/** Ids of a list that may be malformed: every item with a string id; a missing list declares none. */
function idsOf(list: unknown): Set<string> | null {
  if (list === undefined) return new Set();
  if (!Array.isArray(list)) return null;
  return new Set(list.flatMap((item: unknown) => (isObject(item) && typeof item.id === 'string' ? [item.id] : [])));
}

/** The team's problems, and the rep and queue ids it declares even when some other part of it is malformed. */
function readTeam(team: unknown): { errors: ValidationError[]; ids: TeamIds } {
  const parsed = Team.safeParse(team);
  if (parsed.success) {
    return {
      errors: [],
      ids: { reps: new Set(parsed.data.reps.map((r) => r.id)), queues: new Set(parsed.data.queues.map((q) => q.id)) },
    };
  }
  const errors = fromZodIssues(parsed.error.issues, () => null).map((e) => ({ ...e, message: `team: ${e.message}` }));
  return {
    errors,
    ids: isObject(team) ? { reps: idsOf(team.reps), queues: idsOf(team.queues) } : { reps: null, queues: null },
  };
}

/**
 * The team's own problems (an unknown calendar, a queue member who is no rep), then every routing target of
 * the journey that names a rep or queue the team does not have, as each node type declares them
 * (`teamRefs`: a handoff's route, fallback and escalation, a notify action's rep). They are read one by
 * one from the raw nodes, so a node malformed elsewhere is still checked.
 */
export function teamProblems(nodes: readonly unknown[], team: unknown): ValidationError[] {
  const { errors, ids } = readTeam(team);
  const unknownRep = (rep: string) => ids.reps !== null && !ids.reps.has(rep);
  const check = (value: unknown, path: PropertyKey[], node: string | null) => {
    const target = RouteTarget.safeParse(value);
    if (!target.success) return;
    const to = target.data;
    if ('rep' in to && unknownRep(to.rep))
      errors.push({ path: formatPath([...path, 'rep']), node, message: `unknown rep "${to.rep}" (not in the team)` });
    if ('queue' in to && ids.queues !== null && !ids.queues.has(to.queue)) {
      errors.push({
        path: formatPath([...path, 'queue']),
        node,
        message: `unknown queue "${to.queue}" (not in the team)`,
      });
    }
  };
  nodes.forEach((n, i) => {
    if (!isObject(n) || typeof n.type !== 'string') return;
    const node = typeof n.id === 'string' ? n.id : null;
    for (const ref of kindOf(n.type)?.teamRefs?.(n) ?? []) {
      const path = ['nodes', i, ...ref.path];
      if ('target' in ref) check(ref.target, path, node);
      else if (unknownRep(ref.rep))
        errors.push({ path: formatPath(path), node, message: `unknown rep "${ref.rep}" (not in the team)` });
    }
  });
  return errors;
}
