import { z } from 'zod';
import { EventCondition, ScoreRuleCondition } from './condition.ts';
import { ownRecord } from './dictionary.ts';
import { IsoDuration } from './primitives.ts';

/** A score model: rule points over traits plus decaying event points, capped (SPEC §4). */
export const ScoreModel = z.strictObject({
  rules: z.array(z.strictObject({ when: ScoreRuleCondition, points: z.number() })).optional(),
  events: z
    .array(z.strictObject({ event: z.string().min(1), where: EventCondition.optional(), points: z.number() }))
    .optional(),
  halfLife: IsoDuration.optional(),
  max: z.number().optional(),
});
export type ScoreModel = z.infer<typeof ScoreModel>;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/**
 * Workspace settings shared by every journey: score models, and (an addition to SPEC) the currency that
 * outcome values are in, an ISO 4217 code; without it a value is a plain number.
 */
export const Workspace = z.strictObject({
  currency: z
    .string()
    .refine((code) => CURRENCIES.has(code), 'must be an ISO 4217 currency code in capitals, like EUR or USD')
    .optional(),
  scores: ownRecord(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'score names may only contain letters, digits, _ and -'),
    ScoreModel,
  ).default({}),
});
export type Workspace = z.infer<typeof Workspace>;
