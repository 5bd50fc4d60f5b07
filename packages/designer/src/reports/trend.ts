import type { HandoffReport } from '@baton/engine/internal';

const DAY = 86_400_000;
/** Past this many days the trend shows only the days with handoffs, not a bar for every empty day. */
const MOST_DAYS = 92;

/** The start of the day after a `YYYY-MM-DD` day, as the API's exclusive `to`. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().replace('.000Z', 'Z');
}

/**
 * The days (UTC, `YYYY-MM-DD`) the trend shows: every day of the report's period, or from its first day
 * with handoffs to its last when the period is open, empty days included, unless that is more than
 * MOST_DAYS days (then only the days with handoffs).
 */
export function trendDays(report: Pick<HandoffReport, 'from' | 'to' | 'days'>): string[] {
  const seen = Object.keys(report.days);
  const first = report.from ? Date.parse(report.from) : seen.length ? Date.parse(`${seen[0]}T00:00:00Z`) : null;
  const last = report.to ? Date.parse(report.to) - 1 : seen.length ? Date.parse(`${seen.at(-1)}T00:00:00Z`) : null;
  if (first === null || last === null || last < first) return seen;
  const start = Math.floor(first / DAY) * DAY;
  if ((last - start) / DAY >= MOST_DAYS) return seen;
  const days: string[] = [];
  for (let at = start; at <= last; at += DAY) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}
