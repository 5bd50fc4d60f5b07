import { z } from 'zod';
import { Duration as LuxonDuration } from 'luxon';

/** An identifier: 1 to 128 characters from `[A-Za-z0-9_.:-]` (SPEC §2). */
export const Id = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may only contain letters, digits and _ . : -');
export type Id = z.infer<typeof Id>;

/**
 * Whether a string is an ISO 8601 duration that Baton can use (PT4H, P2D, P1W). ISO 8601 has no negative
 * durations (Luxon reads `PT-1S`): a timer due before it was set would run a contact's time backwards.
 */
export function isIsoDuration(value: string): boolean {
  if (!/^P(?!$)/.test(value) || value.endsWith('T') || value.includes('-')) return false;
  return LuxonDuration.fromISO(value).isValid;
}

/** An ISO 8601 duration such as `PT4H`, `P2D` or `P1W`. */
export const IsoDuration = z
  .string()
  .refine(isIsoDuration, { message: 'must be an ISO 8601 duration such as PT4H, P2D or P1W' });
export type IsoDuration = z.infer<typeof IsoDuration>;

/** An ISO 8601 instant; a `Z` or an offset is required so the instant is unambiguous. */
export const Instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 instant such as 2026-11-23T09:00:00Z',
});
export type Instant = z.infer<typeof Instant>;

/** Whether a value is a plain JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Free-form JSON object (traits, properties, params), taken as it is. A `z.record` would rebuild it key
 * by key, which was half of validating an event; nothing reads these objects but by own keys
 * (`readPath`), so keys such as `__proto__` stay plain data.
 */
export const JsonObject = z
  .custom<Record<string, unknown>>(isObject, 'must be a JSON object')
  .meta({ type: 'object', additionalProperties: {} });
export type JsonObject = z.infer<typeof JsonObject>;
