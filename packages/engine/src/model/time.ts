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
  if (!(ms >= 0 && ms < YEAR_10000) || !Number.isInteger(ms)) return formatByDate(ms);
  // A million-contact simulation formats millions of instants (issue #17): the date's characters are kept
  // per day and the time of day is worked out here, 4× faster than through `Date`, and `fromCharCode`
  // gives a flat string (32 bytes; a rope over a slice of the ISO string would keep 97).
  const day = Math.floor(ms / DAY);
  const d = dayCodes(day);
  let t = ms - day * DAY;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const s = t % 60;
  t = (t - s) / 60;
  const m = t % 60;
  const h = (t - m) / 60;
  const hh0 = tens(h);
  const hh1 = ones(h);
  const mm0 = tens(m);
  const mm1 = ones(m);
  const ss0 = tens(s);
  const ss1 = ones(s);
  if (milli === 0)
    return String.fromCharCode(
      d[0]!,
      d[1]!,
      d[2]!,
      d[3]!,
      d[4]!,
      d[5]!,
      d[6]!,
      d[7]!,
      d[8]!,
      d[9]!,
      84,
      hh0,
      hh1,
      58,
      mm0,
      mm1,
      58,
      ss0,
      ss1,
      90,
    );
  const f0 = 48 + Math.floor(milli / 100);
  const f1 = tens(milli);
  const f2 = ones(milli);
  return String.fromCharCode(
    d[0]!,
    d[1]!,
    d[2]!,
    d[3]!,
    d[4]!,
    d[5]!,
    d[6]!,
    d[7]!,
    d[8]!,
    d[9]!,
    84,
    hh0,
    hh1,
    58,
    mm0,
    mm1,
    58,
    ss0,
    ss1,
    46,
    f0,
    f1,
    f2,
    90,
  );
}

const DAY = 86_400_000;
/** The first instant `toISOString` writes with a six-digit year. */
const YEAR_10000 = 253_402_300_800_000;
const tens = (n: number) => 48 + (Math.floor(n / 10) % 10);
const ones = (n: number) => 48 + (n % 10);

/** `toISOString` without milliseconds when they are zero. */
function formatByDate(ms: Millis): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? [iso.slice(0, -5), 'Z'].join('') : iso;
}

/** The character codes of a day's `YYYY-MM-DD`, kept for the days last formatted. */
const days = new Map<number, Uint8Array>();
function dayCodes(day: number): Uint8Array {
  let codes = days.get(day);
  if (codes === undefined) {
    if (days.size >= 4096) days.clear();
    const iso = new Date(day * DAY).toISOString();
    codes = new Uint8Array(10);
    for (let i = 0; i < 10; i++) codes[i] = iso.charCodeAt(i);
    days.set(day, codes);
  }
  return codes;
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
