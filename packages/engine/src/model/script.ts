import { z } from 'zod';
import { Id, Instant, JsonObject } from './primitives.ts';
import { ownRecord } from './dictionary.ts';
import { ContactId } from './event.ts';

// Contacts are named as Segment names them (SPEC §2): any id of at most 256 characters, a number as its decimal string.
const HandoffRef = { userId: ContactId, journey: Id, node: Id };

/** The things a script step can do, one per step. */
export const STEP_KINDS = ['track', 'identify', 'accept', 'outcome', 'reject', 'setRep', 'publish'] as const;

/** One step of a simulation script: at an instant, exactly one of the step kinds. */
export const ScriptStep = z
  .strictObject({
    at: Instant,
    track: z
      .strictObject({
        userId: ContactId,
        event: z.string().min(1),
        properties: JsonObject.default({}),
        messageId: z.string().min(1).optional(),
      })
      .optional(),
    identify: z
      .strictObject({ userId: ContactId, traits: JsonObject.default({}), messageId: z.string().min(1).optional() })
      .optional(),
    accept: z.strictObject({ ...HandoffRef, rep: Id.optional() }).optional(),
    outcome: z
      .strictObject({
        ...HandoffRef,
        outcome: z.string().min(1),
        value: z.number().optional(),
        note: z.string().optional(),
        rep: Id.optional(),
      })
      .optional(),
    reject: z.strictObject({ ...HandoffRef, reason: z.string().optional(), rep: Id.optional() }).optional(),
    setRep: z
      .strictObject({ id: Id, active: z.boolean().optional(), capacity: z.number().int().nonnegative().optional() })
      .optional(),
    // SPEC §10: publishes `journey` as its next version and, with `migrate`, moves the contacts waiting in older versions.
    publish: z.strictObject({ journey: JsonObject, migrate: ownRecord(Id, Id).optional() }).optional(),
  })
  .superRefine((step, ctx) => {
    const kinds = STEP_KINDS.filter((k) => step[k] !== undefined);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `a step needs exactly one of ${STEP_KINDS.join(', ')}${kinds.length ? ` (has ${kinds.join(', ')})` : ''}`,
      });
  });
export type ScriptStep = z.infer<typeof ScriptStep>;

/** A deterministic run on a virtual clock (SPEC §8). */
export const Script = z
  .strictObject({
    start: Instant,
    until: Instant,
    contacts: z.array(z.strictObject({ id: ContactId, traits: JsonObject.default({}) })).default([]),
    steps: z.array(ScriptStep).default([]),
  })
  .superRefine((s, ctx) => {
    const start = Date.parse(s.start);
    if (Date.parse(s.until) < start)
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must not be before start' });
    let previous = start;
    s.steps.forEach((step, i) => {
      const at = Date.parse(step.at);
      if (at < previous)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'at'],
          message:
            i === 0 ? 'must not be before start' : `must not be before steps[${i - 1}].at: steps run in time order`,
        });
      if (at > Date.parse(s.until))
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'at'], message: 'must not be after until' });
      previous = Math.max(previous, at);
    });
  });
export type Script = z.infer<typeof Script>;
