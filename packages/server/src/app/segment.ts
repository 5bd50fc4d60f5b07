import { z } from 'zod';
import { InboundEvent, InputInvalidError, TrackEvent, formatPath, isObject, parseInput } from '@baton/engine';

/** A contact id as SPEC §2 has it (any string up to 256 characters; a number as its decimal string). */
export const ContactId = TrackEvent.shape.userId;

/** A Segment call Baton acknowledges without applying, and why. */
export interface Skipped {
  skipped: string;
}

/** The Segment calls the intake takes. */
export const SEGMENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/** analytics.js's short paths: `/v1/t` is `/v1/track`, and so on (`/v1/b` is the batch). */
export const SHORT_FORMS: Record<string, SegmentType | 'batch'> = { t: 'track', i: 'identify', p: 'page', s: 'screen', g: 'group', a: 'alias', b: 'batch' };

/** The track event a page or screen call becomes. */
const VIEWED = { page: 'Page Viewed', screen: 'Screen Viewed' } as const;

/** A Segment page or screen call, for the API reference: a track call's fields, with a name and category instead of an event. */
export const ViewCall = TrackEvent.omit({ type: true, event: true }).extend({
  type: z.enum(['page', 'screen']),
  userId: ContactId.optional(),
  anonymousId: ContactId.optional(),
  name: z.string().optional(),
  category: z.string().optional(),
});

/** A Segment group or alias call: acknowledged, not used by journeys. */
export const UnusedCall = z.looseObject({ type: z.enum(['group', 'alias']) });

/**
 * A Segment call as Baton applies it, so that an existing Segment or RudderStack source can point at
 * Baton: track and identify as they are; page and screen as the track events "Page Viewed" and
 * "Screen Viewed", with the call's name and category among the properties, so journeys and scores see
 * analytics.js page views like any event. Calls that cannot move a journey are acknowledged and
 * skipped: group and alias, and anonymous calls (an anonymousId and no userId). Anything else is refused
 * with the path of what is wrong.
 */
export function segmentCall(raw: unknown, at: PropertyKey[] = []): InboundEvent | Skipped {
  const call = isObject(raw) ? raw : {};
  const type = call.type;
  if (typeof type !== 'string' || !(SEGMENT_TYPES as readonly string[]).includes(type)) {
    throw new InputInvalidError([{ path: formatPath([...at, 'type']), node: null, message: `must be one of ${SEGMENT_TYPES.join(', ')}` }], 'event');
  }
  if (type === 'group' || type === 'alias') return { skipped: `${type} calls are not used by journeys` };
  if ((call.userId === undefined || call.userId === null) && call.anonymousId !== undefined && call.anonymousId !== null) {
    parseInput(ContactId, call.anonymousId, 'event', [...at, 'anonymousId']);
    return { skipped: 'anonymous (no userId): journeys follow known contacts' };
  }
  if (type === 'page' || type === 'screen') {
    const { name, category, properties, ...rest } = call;
    const named = { ...(typeof name === 'string' ? { name } : {}), ...(typeof category === 'string' ? { category } : {}) };
    const merged = properties === undefined ? named : isObject(properties) ? { ...named, ...properties } : properties; // not an object: refused below
    return parseInput(InboundEvent, { ...rest, type: 'track', event: VIEWED[type], properties: merged }, 'event', at);
  }
  return parseInput(InboundEvent, raw, 'event', at);
}
