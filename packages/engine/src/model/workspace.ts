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

/** Workspace settings shared by every journey: score models for now. */
export const Workspace = z.strictObject({
  scores: ownRecord(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'score names may only contain letters, digits, _ and -'),
    ScoreModel,
  ).default({}),
});
export type Workspace = z.infer<typeof Workspace>;
