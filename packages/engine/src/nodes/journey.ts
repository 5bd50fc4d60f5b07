import { z } from 'zod';
import { Condition } from '../model/condition.ts';
import { Id, IsoDuration, JsonObject } from '../model/primitives.ts';
import { ActionNode } from './action.ts';
import { BranchNode } from './branch.ts';
import { ExitNode } from './exit.ts';
import { HandoffNode } from './handoff.ts';
import { PauseNode } from './pause.ts';
import { SplitNode } from './split.ts';
import { WaitNode } from './wait.ts';

/** The schema tag every journey file carries. */
export const JOURNEY_SCHEMA = 'baton.journey/v1';

/** Any journey node, told apart by `type`. */
export const JourneyNode = z.discriminatedUnion('type', [WaitNode, PauseNode, BranchNode, SplitNode, ActionNode, HandoffNode, ExitNode], {
  error: (iss) =>
    iss.code === 'invalid_union' ? 'unknown node type; expected one of wait, pause, branch, split, action, handoff, exit' : undefined,
});
export type JourneyNode = z.infer<typeof JourneyNode>;

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
  reentry: z.union([z.enum(['never', 'after_exit']), IsoDuration], { error: 'must be "never", "after_exit" or an ISO 8601 duration' }).default('never'),
  whileHumanEngaged: z.enum(['pause', 'continue', 'exit']).default('pause'),
  exitWhen: z.array(z.strictObject({ when: Condition, outcome: z.string().min(1) })).default([]),
  start: Id,
  nodes: z.array(JourneyNode).min(1, 'a journey needs at least one node'),
  ui: JsonObject.optional(),
});
export type Journey = z.infer<typeof Journey>;
