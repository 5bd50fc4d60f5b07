// The business-time functions as first written: luxon arithmetic on every call, no cache. The cached
// version in src/team/businessTime.ts is held equal to these by a property (businessTimeCache.test.ts).
import { DateTime, Duration } from 'luxon';
import type { Calendar, Weekday } from '../../src/model/team.ts';
import type { Millis } from '../../src/model/time.ts';
import { addDuration } from '../../src/model/time.ts';

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

/** The working window that contains `t` or comes next after it. */
function nextWindow(calendar: Calendar, t: DateTime): { start: DateTime; end: DateTime } {
  let day = t.startOf('day');
  for (let i = 0; i < MAX_DAYS_SEARCHED; i++, day = day.plus({ days: 1 })) {
    const w = windowOf(calendar, day);
    if (w && w.end > t) return w;
  }
  throw new RangeError(`calendar in ${calendar.timezone} has no working hours in the next two years`);
}

/** Whether an instant falls inside the calendar's working hours (always true without a calendar). */
export function referenceWithinHours(calendar: Calendar | undefined, at: Millis): boolean {
  if (!calendar) return true;
  const t = DateTime.fromMillis(at, { zone: calendar.timezone });
  const w = windowOf(calendar, t.startOf('day'));
  return w !== null && w.start <= t && t < w.end;
}

/** The next instant at or after `at` when the calendar's working hours are open. */
export function referenceNextOpening(calendar: Calendar | undefined, at: Millis): Millis {
  if (!calendar) return at;
  const t = DateTime.fromMillis(at, { zone: calendar.timezone });
  const w = nextWindow(calendar, t);
  // biome-ignore lint/complexity/useMathMinMax: luxon DateTimes, not numbers (Math.max would lose the DateTime).
  return (w.start > t ? w.start : t).toMillis();
}

/**
 * The instant `duration` of business time after `from` in a calendar: hours and minutes count only inside
 * working hours, whole days and weeks count working days. Holidays and DST follow the calendar's time zone.
 * Without a calendar, business time is plain time. (Friday 16:00 + PT4H in a 09:00–17:00 Mon–Fri
 * calendar is Monday 12:00.)
 */
export function referenceDeadline(calendar: Calendar | undefined, from: Millis, duration: string): Millis {
  if (!calendar) return addDuration(from, duration);
  const d = Duration.fromISO(duration).shiftTo('days', 'milliseconds');
  const days = Math.trunc(d.days);
  let t: DateTime = DateTime.fromMillis(from, { zone: calendar.timezone });
  for (let i = 0; i < days; i++) {
    // One working day: the same clock time on the next day that has hours.
    let day: DateTime = t.plus({ days: 1 });
    for (let guard = 0; !windowOf(calendar, day.startOf('day')) && guard < MAX_DAYS_SEARCHED; guard++)
      day = day.plus({ days: 1 });
    t = day;
  }
  let remaining = d.milliseconds;
  for (;;) {
    const w = nextWindow(calendar, t);
    if (t < w.start) t = w.start;
    const available = w.end.toMillis() - t.toMillis();
    if (remaining <= available) return t.toMillis() + remaining;
    remaining -= available;
    t = w.end;
  }
}
