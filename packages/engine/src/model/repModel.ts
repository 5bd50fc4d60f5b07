import { z } from 'zod';
import { ownRecord } from './dictionary.ts';
import { Id, Instant } from './primitives.ts';

/** One rep as recorded handoffs show them: how often and how fast they accept, how long to an outcome, which outcomes. */
export const RepBehaviour = z.strictObject({
  /** Handoffs held by the rep at their end, created in the period. */
  handoffs: z.number().int().nonnegative(),
  /** The share of those the rep accepted (0 to 1). */
  acceptShare: z.number().min(0).max(1),
  /** Mean seconds from assignment to accept; null when the rep accepted none. */
  acceptSeconds: z.number().nonnegative().nullable(),
  /** Mean seconds from accept to the outcome; null when the rep logged none. */
  outcomeSeconds: z.number().nonnegative().nullable(),
  /** Outcomes logged, counted per journey, then node, then outcome. */
  outcomes: ownRecord(Id, ownRecord(Id, ownRecord(Id, z.number().int().nonnegative()))),
});
export type RepBehaviour = z.infer<typeof RepBehaviour>;

/** A queue's cursor (`routing/desk.ts`): round robin's last member index, weighted's counters per rep. */
export const QueueCursorModel = z.strictObject({
  last: z.number().int().min(-1),
  current: ownRecord(Id, z.number()),
});

/** Live routing as it stood when the period began: each queue's cursor, so a backtest's round robin goes on from there. */
export const RoutingAtStart = z.strictObject({ cursors: ownRecord(Id, QueueCursorModel) });
export type RoutingAtStart = z.infer<typeof RoutingAtStart>;

/** The reps' behaviour over a period (`GET /api/reps/model`, and what `baton simulate --reps` takes). */
export const RepModel = z.strictObject({
  from: Instant.nullable().default(null),
  to: Instant.nullable().default(null),
  reps: ownRecord(Id, RepBehaviour),
  /** Routing when the period began (a server's model gives it when the period has a start). */
  routing: RoutingAtStart.optional(),
});
export type RepModel = z.infer<typeof RepModel>;
