import { z } from 'zod';
import { Condition } from '../model/condition.ts';
import { Id, IsoDuration, JsonObject } from '../model/primitives.ts';
import { NODE_KINDS, NODE_TYPES, type NodeType } from './registry.ts';

/** The schema tag every journey file carries. */
export const JOURNEY_SCHEMA = 'baton.journey/v1';

/** Any journey node: one of the registry's node types. */
export type JourneyNode = { [K in NodeType]: z.infer<(typeof NODE_KINDS)[K]['schema']> }[NodeType];

/** Any journey node, told apart by `type`: the union of the registry's schemas, in its order. */
export const JourneyNode = z.discriminatedUnion(
  'type',
  NODE_TYPES.map((t) => NODE_KINDS[t].schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
  {
    error: (iss) =>
      iss.code === 'invalid_union' ? `unknown node type; expected one of ${NODE_TYPES.join(', ')}` : undefined,
  },
) as unknown as z.ZodType<JourneyNode>;

/** What makes a contact enter: an event (or "Contact Updated" for any identify), optionally with a condition. */
export const Trigger = z.strictObject({ event: z.string().min(1, 'must name an event'), when: Condition.optional() });
export type Trigger = z.infer<typeof Trigger>;

/** A journey (SPEC §5). */
export const Journey = z.strictObject({
  schema: z.literal(JOURNEY_SCHEMA, { error: `must be "${JOURNEY_SCHEMA}"` }),
  id: Id,
  name: z.string().min(1, 'must not be empty'),
  description: z.string().optional(),
  trigger: Trigger,
  reentry: z
    .union([z.enum(['never', 'after_exit']), IsoDuration], {
      error: 'must be "never", "after_exit" or an ISO 8601 duration',
    })
    .default('never'),
  whileHumanEngaged: z.enum(['pause', 'continue', 'exit']).default('pause'),
  exitWhen: z.array(z.strictObject({ when: Condition, outcome: z.string().min(1) })).default([]),
  start: Id,
  nodes: z.array(JourneyNode).min(1, 'a journey needs at least one node'),
  ui: JsonObject.optional(),
});
export type Journey = z.infer<typeof Journey>;
