import { z } from 'zod';
import {
  ContactId,
  GroupCall,
  InboundEvent,
  InputInvalidError,
  TrackEvent,
  formatPath,
  isObject,
  parseInput,
  plainTrack,
} from '@baton/engine/internal';

/** A Segment call Baton acknowledges without applying, and why. */
export interface Skipped {
  skipped: string;
}

/**
 * An identity call: an alias, which links an anonymousId (Segment's `previousId`) to a contact, or a group
 * call of a known contact, which links its anonymousId when it carries one. Either makes its contact on
 * first sight (SPEC §7; `Runtime.identity`).
 */
export interface Link {
  link: { userId: string; anonymousId?: string | undefined };
}

/** Whether a read call is an alias's link. */
export const isLink = (call: InboundEvent | Skipped | Link): call is Link => 'link' in call && !('type' in call);

/** Segment's alias call as Baton reads it. */
export const AliasCall = z.looseObject({ type: z.literal('alias'), userId: ContactId, previousId: ContactId });

/** The Segment calls the intake takes. */
export const SEGMENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/** analytics.js's short paths: `/v1/t` is `/v1/track`, and so on (`/v1/b` is the batch). */
export const SHORT_FORMS: Record<string, SegmentType | 'batch'> = {
  t: 'track',
  i: 'identify',
  p: 'page',
  s: 'screen',
  g: 'group',
  a: 'alias',
  b: 'batch',
};

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

/**
 * A Segment call as Baton applies it, so that an existing Segment or RudderStack source can point at
 * Baton: track and identify as they are; page and screen as the track events "Page Viewed" and
 * "Screen Viewed", with the call's name and category among the properties, so journeys and scores see
 * analytics.js page views like any event; calls with only an anonymousId go to its anonymous profile, and
 * alias links `previousId` to `userId` (SPEC §7). A group call of a known contact makes the contact on
 * first sight and links an anonymousId it carries, as an alias would; its group id and traits are the
 * account's, not the contact's, and are not applied; one with only an anonymousId is skipped. Anything
 * else is refused with the path of what is wrong.
 */
export function segmentCall(raw: unknown, at: PropertyKey[] = []): InboundEvent | Skipped | Link {
  const call = isObject(raw) ? raw : {};
  const type = call.type;
  if (typeof type !== 'string' || !(SEGMENT_TYPES as readonly string[]).includes(type)) {
    throw new InputInvalidError(
      [{ path: formatPath([...at, 'type']), node: null, message: `must be one of ${SEGMENT_TYPES.join(', ')}` }],
      'event',
    );
  }
  if (type === 'group') {
    const group = parseInput(GroupCall, raw, 'event', at);
    if (group.userId === undefined)
      return {
        skipped: "a group call with only an anonymousId links no contact (journeys do not use a group's traits)",
      };
    return { link: { userId: group.userId, anonymousId: group.anonymousId } };
  }
  if (type === 'alias') {
    const alias = parseInput(AliasCall, raw, 'event', at);
    return { link: { anonymousId: alias.previousId, userId: alias.userId } };
  }
  if (type === 'page' || type === 'screen') {
    const { name, category, properties, ...rest } = call;
    const named = {
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof category === 'string' ? { category } : {}),
    };
    const merged = properties === undefined ? named : isObject(properties) ? { ...named, ...properties } : properties; // not an object: refused below
    const track = { ...rest, type: 'track', event: VIEWED[type], properties: merged };
    return plainTrack(track) ?? parseInput(InboundEvent, track, 'event', at);
  }
  // The commonest call is checked without zod (the same result); any other, or a wrong one, goes to zod.
  return plainTrack(raw) ?? parseInput(InboundEvent, raw, 'event', at);
}
