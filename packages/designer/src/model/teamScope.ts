/** The part of a team shape the designer reads: reps (with their team) and queues (with members). */
export interface TeamLike {
  reps?: { id: string; name?: string; team?: string }[];
  queues?: { id: string; members?: string[] }[];
}

/**
 * The reps of one team (sales or service) and the queues that hold them. Reps without a team belong to
 * both; a queue counts when any member is of the team. An unknown team name keeps the whole team.
 */
export function teamScope<T extends TeamLike>(team: T | null, name: string): T | null {
  if (!team?.reps || (name !== 'sales' && name !== 'service')) return team;
  const reps = team.reps.filter((r) => r.team === undefined || r.team === name);
  const ids = new Set(reps.map((r) => r.id));
  return { ...team, reps, queues: (team.queues ?? []).filter((q) => (q.members ?? []).some((m) => ids.has(m))) };
}
