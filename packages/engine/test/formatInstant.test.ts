import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../src/model/time.ts';

/** What formatInstant wrote before it worked out the time of day itself (issue #17): through `Date`. */
const throughDate = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
};

describe('formatInstant', () => {
  it('writes 2026-01-05T08:00:00Z for that instant, and milliseconds only when there are some', () => {
    expect(formatInstant(Date.parse('2026-01-05T08:00:00Z'))).toBe('2026-01-05T08:00:00Z');
    expect(formatInstant(Date.parse('2026-01-05T08:00:00.007Z'))).toBe('2026-01-05T08:00:00.007Z');
    expect(formatInstant(Date.parse('2024-02-29T23:59:59.999Z'))).toBe('2024-02-29T23:59:59.999Z');
    expect(formatInstant(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('writes every instant as Date.toISOString does, from before 1970 to past the year 9999', () => {
    const instant = fc.oneof(
      fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      fc.integer({ min: 1_767_225_600, max: 1_798_761_600 }).map((s) => s * 1000), // 2026 in whole seconds
    );
    fc.assert(
      fc.property(instant, (ms) => formatInstant(ms) === throughDate(ms)),
      { numRuns: 20_000 },
    );
  });
});
