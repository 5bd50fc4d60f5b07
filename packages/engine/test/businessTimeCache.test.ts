import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Calendar } from '../src/model/team.ts';
import { businessDeadline, nextOpening, withinHours } from '../src/team/businessTime.ts';
import { referenceDeadline, referenceNextOpening, referenceWithinHours } from './reference/businessTime.ts';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'America/Sao_Paulo'];
const TIMES = ['00:00', '01:30', '02:00', '02:30', '03:00', '08:00', '09:00', '12:15', '17:00', '23:59', '24:00'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DURATIONS = ['PT4H', 'PT30M', 'PT1M', 'PT90M', 'PT17H', 'P1D', 'P2DT3H', 'P1W', 'PT40H'];
const FROM = Date.parse('2026-01-01T00:00:00Z');
const SPAN = 400 * 86_400_000;

const hours = fc.tuple(fc.constantFrom(...TIMES), fc.constantFrom(...TIMES)).filter(([a, b]) => a < b);
const calendar = fc
  .record({
    timezone: fc.constantFrom(...ZONES),
    hours: fc.record(Object.fromEntries(DAYS.map((d) => [d, hours])) as Record<(typeof DAYS)[number], typeof hours>, {
      requiredKeys: [],
    }),
    holidays: fc.array(
      fc.integer({ min: 0, max: 730 }).map((d) => new Date(FROM + d * 86_400_000).toISOString().slice(0, 10)),
      { maxLength: 20 },
    ),
  })
  .filter((c) => Object.keys(c.hours).length > 0)
  .map((c) => Calendar.parse(c));

describe("business time with each calendar's windows computed once", () => {
  it('answers as luxon arithmetic on every call does, for any calendar and any order of instants (property)', () => {
    fc.assert(
      fc.property(
        calendar,
        fc.array(fc.tuple(fc.integer({ min: 0, max: SPAN }), fc.constantFrom(...DURATIONS)), {
          minLength: 1,
          maxLength: 12,
        }),
        (cal, calls) => {
          for (const [offset, duration] of calls) {
            const at = FROM + offset;
            expect(businessDeadline(cal, at, duration)).toBe(referenceDeadline(cal, at, duration));
            expect(withinHours(cal, at)).toBe(referenceWithinHours(cal, at));
            expect(nextOpening(cal, at)).toBe(referenceNextOpening(cal, at));
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
