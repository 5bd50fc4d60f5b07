import { DateTime, Duration } from 'luxon';
import type { Calendar, Weekday } from '../model/team.ts';
import type { Millis } from '../model/time.ts';
import { addDuration } from '../model/time.ts';

const WEEKDAY_OF_LUXON: Record<number, Weekday> = {
  1: 'mon',
  2: 'tue',
  3: 'wed',
  4: 'thu',
  5: 'fri',
  6: 'sat',
  7: 'sun',
};
const MAX_DAYS_SEARCHED = 366 * 2;

/** The working window of one local day, or null when the day has no hours or is a holiday. */
function windowOf(calendar: Calendar, day: DateTime): { start: DateTime; end: DateTime } | null {
  if (calendar.holidays.includes(day.toISODate()!)) return null;
  const hours = calendar.hours[WEEKDAY_OF_LUXON[day.weekday]!];
  if (!hours) return null;
  const at = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    return h === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  };
  return { start: at(hours[0]), end: at(hours[1]) };
}

/** A calendar's working windows over a run of local days, as instants: sorted, never overlapping. */
interface Windows {
  /** The first instant of the first local day covered. */
  from: Millis;
  /** The local day after the last one covered. */
  next: DateTime;
  starts: Millis[];
  ends: Millis[];
}

/** Days of windows computed at a time. */
const DAYS_PER_FILL = 64;

/**
 * Each calendar's windows, computed once per local day: finding the next window is then a binary search
 * instead of time-zone arithmetic (luxon asks Intl for the offset on every step, which was 18% of a
 * population simulation, issue #17).
 */
const windowsOf = new WeakMap<Calendar, Windows>();

/** Appends the windows of `days` local days from `w.next` on. */
function fill(calendar: Calendar, w: Windows, days: number): void {
  for (let i = 0; i < days; i++, w.next = w.next.plus({ days: 1 })) {
    const win = windowOf(calendar, w.next);
    if (win) {
      w.starts.push(win.start.toMillis());
      w.ends.push(win.end.toMillis());
    }
  }
}

/** The working window that contains `t` or comes next after it, as instants. */
function nextWindow(calendar: Calendar, t: Millis): { start: Millis; end: Millis } {
  let w = windowsOf.get(calendar);
  if (w === undefined || t < w.from) {
    const day = DateTime.fromMillis(t, { zone: calendar.timezone }).startOf('day');
    w = { from: day.toMillis(), next: day, starts: [], ends: [] };
    windowsOf.set(calendar, w);
  }
  for (;;) {
    // The first window that ends after t: no window of an earlier day can (a day's window ends by the next day's start).
    const { ends } = w;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    if (lo < ends.length) return { start: w.starts[lo]!, end: ends[lo]! };
    if (w.next.toMillis() > t + MAX_DAYS_SEARCHED * 86_400_000) {
      throw new RangeError(`calendar in ${calendar.timezone} has no working hours in the next two years`);
    }
    fill(calendar, w, DAYS_PER_FILL);
  }
}

/** Whether an instant falls inside the calendar's working hours (always true without a calendar). */
export function withinHours(calendar: Calendar | undefined, at: Millis): boolean {
  if (!calendar) return true;
  const w = nextWindow(calendar, at);
  return w.start <= at && at < w.end;
}

/** The next instant at or after `at` when the calendar's working hours are open. */
export function nextOpening(calendar: Calendar | undefined, at: Millis): Millis {
  if (!calendar) return at;
  const w = nextWindow(calendar, at);
  return w.start > at ? w.start : at;
}

/** ISO durations as whole days and the milliseconds beyond them, parsed once each. */
const parsedDurations = new Map<string, { days: number; ms: number }>();

/**
 * The instant `duration` of business time after `from` in a calendar: hours and minutes count only inside
 * working hours, whole days and weeks count working days. Holidays and DST follow the calendar's time zone.
 * Without a calendar, business time is plain time. (Friday 16:00 + PT4H in a 09:00–17:00 Mon–Fri
 * calendar is Monday 12:00.)
 */
export function businessDeadline(calendar: Calendar | undefined, from: Millis, duration: string): Millis {
  if (!calendar) return addDuration(from, duration);
  let parsed = parsedDurations.get(duration);
  if (parsed === undefined) {
    const d = Duration.fromISO(duration).shiftTo('days', 'milliseconds');
    parsed = { days: Math.trunc(d.days), ms: d.milliseconds };
    if (parsedDurations.size < 1024) parsedDurations.set(duration, parsed);
  }
  let t = from;
  if (parsed.days > 0) {
    let local: DateTime = DateTime.fromMillis(from, { zone: calendar.timezone });
    for (let i = 0; i < parsed.days; i++) {
      // One working day: the same clock time on the next day that has hours.
      let day: DateTime = local.plus({ days: 1 });
      for (let guard = 0; !windowOf(calendar, day.startOf('day')) && guard < MAX_DAYS_SEARCHED; guard++)
        day = day.plus({ days: 1 });
      local = day;
    }
    t = local.toMillis();
  }
  let remaining = parsed.ms;
  for (;;) {
    const w = nextWindow(calendar, t);
    if (t < w.start) t = w.start;
    const available = w.end - t;
    if (remaining <= available) return t + remaining;
    remaining -= available;
    t = w.end;
  }
}
