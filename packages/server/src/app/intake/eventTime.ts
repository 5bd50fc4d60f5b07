import { Instant, InputInvalidError, formatInstant, formatPath, isObject } from '@baton/engine/internal';

/** An optional instant field of a call (or a batch): its time in ms, or undefined when absent; malformed is refused with its path. */
export function instantAt(call: Record<string, unknown>, field: string, at: PropertyKey[]): number | undefined {
  const value = call[field];
  if (value === undefined || value === null) return undefined;
  if (!Instant.safeParse(value).success) {
    throw new InputInvalidError(
      [
        {
          path: formatPath([...at, field]),
          node: null,
          message: 'must be an ISO 8601 instant such as 2026-11-23T09:00:00Z',
        },
      ],
      'event',
    );
  }
  return Date.parse(value as string);
}

/**
 * When a call happened (SPEC §7): its `timestamp` when given; otherwise its `originalTimestamp` corrected
 * for the sender's clock skew as Segment does, received − (sentAt − originalTimestamp), with the call's
 * `sentAt` or else the batch's (read only then); otherwise (no sentAt) `originalTimestamp` as it is; otherwise undefined,
 * and the call happened when it was received. Answers an ISO instant to put in the call's `timestamp`.
 */
export function eventTimestamp(
  raw: unknown,
  receivedAt: number,
  batchSentAt: (() => number | undefined) | undefined,
  at: PropertyKey[] = [],
): string | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.timestamp !== undefined && raw.timestamp !== null) return undefined; // kept as sent, checked by the call's schema
  const original = instantAt(raw, 'originalTimestamp', at);
  if (original === undefined) return undefined;
  const sentAt = instantAt(raw, 'sentAt', at) ?? batchSentAt?.();
  return formatInstant(sentAt === undefined ? original : receivedAt - (sentAt - original));
}
