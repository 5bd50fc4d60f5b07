import { z } from 'zod';
import { ownRecord } from './dictionary.ts';
import { JsonObject } from './primitives.ts';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * How one trait is drawn for each synthetic contact: one of some values (weighted), a number uniform
 * between two bounds, or a normally distributed number. Numbers are whole when the bounds (or mean and
 * spread) are whole.
 */
export const TraitDistribution = z.union([
  z.strictObject({
    oneOf: z
      .array(z.strictObject({ value: Scalar, weight: z.number().positive().default(1) }))
      .min(1, 'give at least one value'),
  }),
  z
    .strictObject({ uniform: z.strictObject({ min: z.number(), max: z.number() }) })
    .refine((d) => d.uniform.min <= d.uniform.max, { message: 'min must not be above max', path: ['uniform', 'max'] }),
  z.strictObject({ normal: z.strictObject({ mean: z.number(), sd: z.number().nonnegative() }) }),
]);
export type TraitDistribution = z.infer<typeof TraitDistribution>;

/**
 * What a synthetic population is like (an addition to SPEC §8's `--contacts N --seed S`). Every part is
 * optional: what it leaves out, Baton derives from the journeys' conditions.
 * - `traits`: a distribution per trait name (`employees`, not `contact.employees`).
 * - `events`: how often each contact does an event, per week, from the moment it enters; an event named
 *   here happens only at that rate (the trigger event included: its first occurrence is the entry).
 * - `reps`: the share of handoffs reps accept, and their mean hours to accept and then to log an outcome.
 */
export const Population = z.strictObject({
  traits: ownRecord(z.string().min(1), TraitDistribution).default({}),
  events: ownRecord(
    z.string().min(1),
    z.strictObject({ perWeek: z.number().min(0).max(100), properties: JsonObject.default({}) }),
  ).default({}),
  reps: z
    .strictObject({
      acceptRate: z.number().min(0).max(1).default(0.9),
      acceptHours: z.number().positive().default(3),
      outcomeHours: z.number().positive().default(24),
    })
    .prefault({}),
});
export type Population = z.infer<typeof Population>;
