import { z } from 'zod';
import { Instant, JsonObject } from './primitives.ts';

const MessageId = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/**
 * A contact id (SPEC §2): Segment's `userId` or `anonymousId`, any non-empty string of at most 256
 * characters (an email, a UUID, a CRM key). A number is taken as its decimal string, as Segment's own
 * libraries coerce it: analytics-node sends `userId: 1234` as it was given.
 */
export const ContactId = z.preprocess(
  (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v),
  z
    .string({
      error: (iss) => (iss.input === undefined ? 'is required: the contact id' : 'must be a string (or a number)'),
    })
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters'),
);
export type ContactId = z.infer<typeof ContactId>;

/** analytics.js sends `"userId": null` before identify: null is no id. */
const absentIfNull = (v: unknown) => (v === null ? undefined : v);

/** Who a call is about: a `userId`, an `anonymousId`, or both (which links them, SPEC §7). */
const Identity = {
  userId: z.preprocess(absentIfNull, ContactId.optional()),
  anonymousId: z.preprocess(absentIfNull, ContactId.optional()),
};

/** A call needs a userId or an anonymousId; without either it is refused at `userId`. */
const identified = (call: { userId?: string | undefined; anonymousId?: string | undefined }, ctx: z.RefinementCtx) => {
  if (call.userId === undefined && call.anonymousId === undefined)
    ctx.addIssue({ code: 'custom', path: ['userId'], message: 'is required: the contact id (or an anonymousId)' });
};

/** A Segment `track` call: something the contact did (SPEC §7). Other Segment fields are accepted and ignored. */
export const TrackEvent = z.looseObject({
  type: z.literal('track'),
  ...Identity,
  event: z.string().min(1, 'must name the event').max(256),
  properties: JsonObject.default({}),
  timestamp: Instant.optional(),
  messageId: MessageId.optional(),
});
export type TrackEvent = z.infer<typeof TrackEvent>;

/** A Segment `identify` call: traits of the contact (SPEC §7). */
export const IdentifyEvent = z.looseObject({
  type: z.literal('identify'),
  ...Identity,
  traits: JsonObject.default({}),
  timestamp: Instant.optional(),
  messageId: MessageId.optional(),
});
export type IdentifyEvent = z.infer<typeof IdentifyEvent>;

/** An event coming into Baton: track or identify. */
export const InboundEvent = z
  .discriminatedUnion('type', [TrackEvent, IdentifyEvent], {
    error: (iss) => (iss.code === 'invalid_union' ? 'type must be "track" or "identify"' : undefined),
  })
  .superRefine(identified);
export type InboundEvent = z.infer<typeof InboundEvent>;

const TRACK_KEYS = new Set(['type', 'userId', 'event', 'properties']);

/**
 * What `InboundEvent.parse(raw)` returns for the commonest call, a `track` with a string `userId`, an
 * `event` and `properties` and nothing else, made without zod (a tenth of a step's time went to it,
 * issue #17); undefined for any other call, which goes through zod. The same object zod makes: its shape's
 * keys in its order, `properties` the object sent.
 */
export function plainTrack(raw: unknown): TrackEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype) return undefined;
  const r = raw as Record<string, unknown>;
  const { type, userId, event, properties } = r;
  if (type !== 'track' || typeof userId !== 'string' || typeof event !== 'string') return undefined;
  if (userId.length < 1 || userId.length > 256 || event.length < 1 || event.length > 256) return undefined;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  const keys = Object.keys(r);
  if (keys.length !== 4) return undefined;
  for (const key of keys) if (!TRACK_KEYS.has(key)) return undefined;
  return { type, userId, event, properties: properties as Record<string, unknown> };
}
