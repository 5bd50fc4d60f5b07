import { own } from '../model/dictionary.ts';
import type { Millis } from '../model/time.ts';
import type { Rep, Team } from '../model/team.ts';

/** The stored state of a queue's strategy, so the order survives a restart. */
export interface QueueCursor {
  /** round_robin: index (in members) of the last rep assigned; -1 before the first. */
  last: number;
  /** weighted: nginx's current weights, by rep id. */
  current: Record<string, number>;
}

/** Routing state shared by every contact: queue cursors and rep changes made at run time. */
export interface DeskState {
  cursors: Record<string, QueueCursor>;
  /** Changes to reps since the team file (`setRep`): active, capacity. */
  reps: Record<string, { active?: boolean; capacity?: number }>;
}

/** An empty desk. */
export function newDesk(): DeskState {
  return { cursors: {}, reps: {} };
}

/** What routing reads: the team, the desk, each rep's open handoffs, and the instant. */
export interface RoutingView {
  team: Team;
  desk: DeskState;
  /** Open handoffs held by a rep right now. */
  load(repId: string): number;
  now: Millis;
}

/** A rep with the desk's run-time changes applied. */
export function effectiveRep(view: RoutingView, id: string): Rep | undefined {
  const rep = view.team.reps.find((r) => r.id === id);
  if (!rep) return undefined;
  const change = own(view.desk.reps, id);
  return change ? { ...rep, ...change } : rep;
}
