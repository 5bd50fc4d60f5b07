import { describe, expect, it } from 'vitest';
import { Calendar, businessDeadline, formatInstant, nextOpening, withinHours } from '../src/internal.ts';

const weekdays = {
  mon: ['09:00', '17:00'],
  tue: ['09:00', '17:00'],
  wed: ['09:00', '17:00'],
  thu: ['09:00', '17:00'],
  fri: ['09:00', '17:00'],
};
const berlin = Calendar.parse({ timezone: 'Europe/Berlin', hours: weekdays, holidays: ['2026-12-25'] });
const newYork = Calendar.parse({ timezone: 'America/New_York', hours: weekdays });
const due = (cal: Calendar | undefined, from: string, d: string) =>
  formatInstant(businessDeadline(cal, Date.parse(from), d));

describe('business time', () => {
  it('breaches on Monday 12:00 for a lead assigned Friday 16:00 with PT4H', () => {
    // Friday 2026-11-20 16:00 Berlin is 15:00Z; Monday 12:00 Berlin is 11:00Z.
    expect(due(berlin, '2026-11-20T15:00:00Z', 'PT4H')).toBe('2026-11-23T11:00:00Z');
  });

  it('is due at closing time, not the next morning, when the hours run out exactly at 17:00', () => {
    // Monday 13:00 CET = 12:00Z; four working hours later is 17:00 CET = 16:00Z the same day (SPEC §5:
    // business time counts on to the end of the window), not Tuesday 09:00.
    expect(due(berlin, '2026-11-23T12:00:00Z', 'PT4H')).toBe('2026-11-23T16:00:00Z');
    // The same when the hours run out at the close of a later day: Friday 16:00 + PT9H is Monday 17:00.
    expect(due(berlin, '2026-11-20T15:00:00Z', 'PT9H')).toBe('2026-11-23T16:00:00Z');
  });

  it('counts across the DST change as working hours, not clock hours', () => {
    // Berlin leaves summer time on Sunday 2026-10-25. Friday 23 Oct 16:00 CEST = 14:00Z;
    // one hour on Friday, three on Monday: Monday 12:00 CET = 11:00Z.
    expect(due(berlin, '2026-10-23T14:00:00Z', 'PT4H')).toBe('2026-10-26T11:00:00Z');
  });

  it('skips a holiday', () => {
    // Thursday 24 Dec 16:00 CET = 15:00Z; Friday 25 Dec is a holiday; Monday 28 Dec 12:00 CET = 11:00Z.
    expect(due(berlin, '2026-12-24T15:00:00Z', 'PT4H')).toBe('2026-12-28T11:00:00Z');
  });

  it("uses the assignee's own time zone", () => {
    // Monday 15:00Z is 10:00 in New York: four working hours later is 14:00 EST = 19:00Z.
    expect(due(newYork, '2026-11-23T15:00:00Z', 'PT4H')).toBe('2026-11-23T19:00:00Z');
    // The same instant in Berlin is 16:00: one hour today, three tomorrow (Tue 12:00 CET = 11:00Z).
    expect(due(berlin, '2026-11-23T15:00:00Z', 'PT4H')).toBe('2026-11-24T11:00:00Z');
  });

  it('starts the clock at the next opening when assigned outside hours', () => {
    // Saturday: the clock starts Monday 09:00 Berlin (08:00Z).
    expect(due(berlin, '2026-11-21T10:00:00Z', 'PT2H')).toBe('2026-11-23T10:00:00Z');
  });

  it('counts whole days as working days', () => {
    // Friday 10:00 CET + P1D = Monday 10:00 CET.
    expect(due(berlin, '2026-11-20T09:00:00Z', 'P1D')).toBe('2026-11-23T09:00:00Z');
  });

  it('is plain time without a calendar', () => {
    expect(due(undefined, '2026-11-20T15:00:00Z', 'PT4H')).toBe('2026-11-20T19:00:00Z');
  });

  it('knows when hours are open and when they next begin', () => {
    expect(withinHours(berlin, Date.parse('2026-11-23T08:30:00Z'))).toBe(true); // 09:30 Berlin
    expect(withinHours(berlin, Date.parse('2026-11-23T16:30:00Z'))).toBe(false); // 17:30 Berlin
    expect(formatInstant(nextOpening(berlin, Date.parse('2026-11-21T12:00:00Z')))).toBe('2026-11-23T08:00:00Z');
  });
});
