import { z } from 'zod';
import { Instant, JsonObject } from './primitives.ts';

const MessageId = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/**
 * A contact id (SPEC §2): Segment's `userId` or `anonymousId`, any non-empty string of at most 256
 * characters (an email, a UUID, a CRM key). A number is taken as its decimal string, as Segment's own
 * libraries coerce it: analytics-node sends `userId: 1234` as it was given.
 */
export const ContactId = z.preprocess(
  (v) => (typeof v === 'number' && Number.isFinite(v) ? decimalString(v) : v),
  z
    .string({
      error: (iss) => (iss.input === undefined ? 'is required: the contact id' : 'must be a string (or a number)'),
    })
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters'),
);
export type ContactId = z.infer<typeof ContactId>;

/**
 * A number written out in decimal digits, never in exponent form: JavaScript's shortest round-trip digits
 * (what `String` gives below 1e21 and above 1e-7), placed around the point. `1e21` is
 * "1000000000000000000000", `1.5e-7` is "0.00000015", as Segment's Go server writes a float.
 */
export function decimalString(v: number): string {
  const text = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, whole, fraction = '', power] = m as unknown as [string, string, string, string | undefined, string];
  const exponent = Number(power);
  const digits = whole + fraction;
  return exponent >= 0
    ? sign + digits + '0'.repeat(exponent - fraction.length) // (exponent ≥ 21 here, longer than any fraction)
    : `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
}

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

/**
 * A Segment `group` call as journeys see it: who it is about (SPEC §7: its contact is created on first
 * sight, and a call carrying both ids links them). The group's id and traits are the account's, not the
 * contact's, and are not applied to the contact.
 */
export const GroupCall = z
  .looseObject({
    type: z.literal('group'),
    ...Identity,
    timestamp: Instant.optional(),
    messageId: MessageId.optional(),
  })
  .superRefine(identified);
export type GroupCall = z.infer<typeof GroupCall>;

/** An event coming into Baton: track or identify. */
export const InboundEvent = z
  .discriminatedUnion('type', [TrackEvent, IdentifyEvent], {
    error: (iss) => (iss.code === 'invalid_union' ? 'type must be "track" or "identify"' : undefined),
  })
  .superRefine(identified);
export type InboundEvent = z.infer<typeof InboundEvent>;

/** The track shape's keys, in the order zod's output gives them; a call's other keys follow in its own order. */
const TRACK_SHAPE = ['type', 'userId', 'anonymousId', 'event', 'properties', 'timestamp', 'messageId'] as const;
const IN_SHAPE = new Set<string>(TRACK_SHAPE);

/** A contact id, an event name or a messageId as zod takes them without change: a string of 1 to 256. */
const isText = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 256;

/**
 * What `InboundEvent.parse(raw)` returns for the commonest call, a `track` with a string `userId` or
 * `anonymousId`, an `event`, `properties`, and optionally a `messageId`, a `timestamp` and other Segment
 * fields (`context`, `sentAt`: kept as sent), made without zod (a tenth of a step's time went to it, issue
 * #17); undefined for any other call, which goes through zod, which also words the errors. The same object
 * zod makes: its shape's keys in its order, then the others, each value the one sent.
 */
export function plainTrack(raw: unknown): TrackEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype) return undefined;
  const r = raw as Record<string, unknown>;
  if (r.type !== 'track' || !isText(r.event)) return undefined;
  const { properties } = r;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  const user = Object.hasOwn(r, 'userId');
  const anonymous = Object.hasOwn(r, 'anonymousId');
  if ((!user && !anonymous) || (user && !isText(r.userId)) || (anonymous && !isText(r.anonymousId))) return undefined;
  if (Object.hasOwn(r, 'messageId') && !isText(r.messageId)) return undefined;
  if (Object.hasOwn(r, 'timestamp') && !Instant.safeParse(r.timestamp).success) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of TRACK_SHAPE) if (Object.hasOwn(r, key)) out[key] = r[key];
  for (const key of Object.keys(r)) {
    if (key === '__proto__') return undefined; // zod's way with it is zod's
    if (!IN_SHAPE.has(key)) out[key] = r[key];
  }
  return out as TrackEvent;
}
