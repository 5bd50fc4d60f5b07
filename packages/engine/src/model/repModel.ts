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

/** The reps' behaviour over a period (`GET /api/reps/model`, and what `baton simulate --reps` takes). */
export const RepModel = z.strictObject({
  from: Instant.nullable().default(null),
  to: Instant.nullable().default(null),
  reps: ownRecord(Id, RepBehaviour),
});
export type RepModel = z.infer<typeof RepModel>;
