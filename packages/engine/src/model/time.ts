import { DateTime, Duration } from 'luxon';

/** Milliseconds since the epoch: the engine's one representation of an instant. */
export type Millis = number;

/** A source of the current instant. The engine never reads the wall clock itself. */
export interface Clock {
  now(): Millis;
}

/** A clock that only moves when told to: simulations and tests. */
export class VirtualClock implements Clock {
  constructor(private current: Millis) {}
  now(): Millis {
    return this.current;
  }
  /** Moves the clock to `to`; time never goes backwards. */
  set(to: Millis): void {
    if (to > this.current) this.current = to;
  }
}

/** Parses an ISO 8601 instant into epoch milliseconds; throws on an invalid one. */
export function parseInstant(iso: string): Millis {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 instant: ${iso}`);
  return ms;
}

/** Formats an instant as ISO 8601 UTC, without milliseconds when they are zero. */
export function formatInstant(ms: Millis): string {
  const iso = new Date(ms).toISOString();
  // Joined, not `${iso.slice(0, -5)}Z`: V8 would keep that as a rope over a slice of the full string, 97
  // bytes instead of 32 (a million-contact simulation report holds millions of instants, issue #17).
  return iso.endsWith('.000Z') ? [iso.slice(0, -5), 'Z'].join('') : iso;
}

interface ParsedDuration {
  /** Fixed length in ms when the duration has no months or years (UTC has no DST). */
  fixed: number | null;
  duration: Duration;
}

const parsed = new Map<string, ParsedDuration>();

function parseDuration(iso: string): ParsedDuration {
  let hit = parsed.get(iso);
  if (hit) return hit;
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) throw new RangeError(`not an ISO 8601 duration: ${iso}`);
  const calendar = duration.years !== 0 || duration.quarters !== 0 || duration.months !== 0;
  hit = { fixed: calendar ? null : duration.as('milliseconds'), duration };
  parsed.set(iso, hit);
  return hit;
}

/** The instant `duration` after `from`, in UTC calendar arithmetic. */
export function addDuration(from: Millis, duration: string): Millis {
  const d = parseDuration(duration);
  if (d.fixed !== null) return from + d.fixed;
  return DateTime.fromMillis(from, { zone: 'utc' }).plus(d.duration).toMillis();
}

/** The instant `duration` before `from`, in UTC calendar arithmetic. */
export function subtractDuration(from: Millis, duration: string): Millis {
  const d = parseDuration(duration);
  if (d.fixed !== null) return from - d.fixed;
  return DateTime.fromMillis(from, { zone: 'utc' }).minus(d.duration).toMillis();
}

/** The length of a duration in ms (calendar units measured from the epoch); used for decay rates. */
export function durationMillis(duration: string): number {
  const d = parseDuration(duration);
  return d.fixed ?? d.duration.as('milliseconds');
}
