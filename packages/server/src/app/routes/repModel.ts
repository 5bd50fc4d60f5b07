import { Hono } from 'hono';
import {
  eventsOf,
  fitRepModel,
  isLate,
  routingAt,
  type QueueAssignment,
  type RoutingAtStart,
  type Store,
  type Team,
} from '@baton/engine/internal';
import type { ApiEnv } from '../auth.ts';
import { periodOf } from '../period.ts';

/**
 * Live routing as it stood at `from`: each queue's cursor, replayed from the `Handoff Assigned` events on
 * the contacts' timelines before it. A full read of the contacts, as the migration plan's is.
 */
export async function liveRoutingAt(store: Store, team: Team, from: number): Promise<RoutingAtStart> {
  const assignments: QueueAssignment[] = [];
  for (const state of await store.contacts()) {
    for (const e of eventsOf(state.contact)) {
      const { queue, rep } = e.properties;
      if (e.name === 'Handoff Assigned' && e.at < from && typeof queue === 'string' && typeof rep === 'string')
        assignments.push({ at: e.at, queue, rep });
    }
  }
  return routingAt(team, assignments, from);
}

/** Each rep's late open handoffs: counted by the store where it can, else from each rep's open list. */
async function lateCounts(store: Store, team: Team, at: number): Promise<Record<string, number>> {
  if (store.lateHandoffCounts) return store.lateHandoffCounts(at);
  const late: Record<string, number> = Object.create(null);
  for (const r of team.reps)
    late[r.id] = (await store.handoffs({ status: 'open', assignee: r.id })).filter((h) => isLate(h, at)).length;
  return late;
}

/**
 * The reps' behaviour fitted to recorded handoffs created in `[from, to)` (SPEC §10's backtest): per rep,
 * accept share, mean times to accept and to outcome, and the outcome mix per journey and node; with a
 * `from`, also live routing as it stood then (`routing`), so a backtest's queues go on where live's were.
 * The same JSON is what `baton simulate --events --reps` takes.
 */
export function repModelRoutes(store: Store, team: () => Team, now: () => number): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  // Each rep's open handoffs and how many of them are late (not accepted, and breached or past due),
  // counted by the store: what the inbox's Team tab shows, however many handoffs are open in all.
  app.get('/loads', async (c) => {
    const current = team();
    const [open, late] = await Promise.all([store.repLoads(), lateCounts(store, current, now())]);
    return c.json({ reps: current.reps.map((r) => ({ rep: r.id, open: open[r.id] ?? 0, late: late[r.id] ?? 0 })) });
  });
  app.get('/model', async (c) => {
    const { from, to } = periodOf(c);
    const model = fitRepModel(await store.handoffs({}), from, to);
    return c.json(from === null ? model : { ...model, routing: await liveRoutingAt(store, team(), from) });
  });
  return app;
}
