import { z } from 'zod';
import { Id, Instant, JsonObject } from './primitives.ts';

const MessageId = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/** A Segment `track` call: something the contact did (SPEC §7). Other Segment fields are accepted and ignored. */
export const TrackEvent = z.looseObject({
  type: z.literal('track'),
  userId: Id,
  event: z.string().min(1, 'must name the event').max(256),
  properties: JsonObject.default({}),
  timestamp: Instant.optional(),
  messageId: MessageId.optional(),
});
export type TrackEvent = z.infer<typeof TrackEvent>;

/** A Segment `identify` call: traits of the contact (SPEC §7). */
export const IdentifyEvent = z.looseObject({
  type: z.literal('identify'),
  userId: Id,
  traits: JsonObject.default({}),
  timestamp: Instant.optional(),
  messageId: MessageId.optional(),
});
export type IdentifyEvent = z.infer<typeof IdentifyEvent>;

/** An event coming into Baton: track or identify. */
export const InboundEvent = z.discriminatedUnion('type', [TrackEvent, IdentifyEvent], {
  error: (iss) => (iss.code === 'invalid_union' ? 'type must be "track" or "identify"' : undefined),
});
export type InboundEvent = z.infer<typeof InboundEvent>;
