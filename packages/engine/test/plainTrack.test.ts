import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InboundEvent, decimalString, plainTrack } from '../src/model/event.ts';

const text = fc.oneof(
  fc.constantFrom('', 'c1', 'Feature Used', 'x'.repeat(256), 'x'.repeat(257)),
  fc.string({ maxLength: 20 }),
);
const value = fc.oneof(
  text,
  fc.constantFrom('track', 'identify', null, undefined, 42, Number.NaN, true, [], [1], { path: '/pricing' }, {}),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
);
const instant = fc.constantFrom(
  '2026-11-23T09:00:00Z',
  '2026-11-23T09:00:00.123+01:00',
  '2026-11-23 09:00',
  '2026-11-23T09:00:00',
  '',
);
const KEYS = [
  'type',
  'userId',
  'event',
  'properties',
  'anonymousId',
  'messageId',
  'timestamp',
  'traits',
  'extra',
  'context',
  'sentAt',
  '__proto__',
  '0',
];

/** Calls shaped like a track, in any key order, with any of the keys missing, extra or of another type. */
const call = fc.oneof(
  fc
    .record({ userId: text, event: text, properties: value })
    .map(({ userId, event, properties }) => ({ type: 'track', userId, event, properties })),
  fc
    .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), value), { selector: ([k]) => k, maxLength: 6 })
    .map((entries) => Object.fromEntries(entries)),
  fc
    .tuple(fc.shuffledSubarray(['type', 'userId', 'event', 'properties']), text, text, value)
    .map(([keys, userId, event, properties]) => {
      const all: Record<string, unknown> = { type: 'track', userId, event, properties };
      return Object.fromEntries(keys.map((k) => [k, all[k]]));
    }),
  // As Segment's libraries send it: ids, a messageId, a timestamp and fields Baton keeps as sent, in any order.
  fc
    .record(
      {
        type: fc.constant('track'),
        userId: text,
        anonymousId: text,
        event: text,
        properties: value,
        messageId: text,
        timestamp: instant,
        context: value,
        sentAt: value,
      },
      { requiredKeys: ['type', 'event', 'properties'] },
    )
    .chain((r) => fc.shuffledSubarray(Object.entries(r), { minLength: Object.keys(r).length }))
    .map((entries) => Object.fromEntries(entries)),
  value,
);

describe('a plain track call checked without zod', () => {
  it('is what InboundEvent.parse makes of it, key for key and in the same order, or left to zod', () => {
    let taken = 0;
    fc.assert(
      fc.property(call, (raw) => {
        const fast = plainTrack(raw);
        if (fast === undefined) return;
        taken++;
        const parsed = InboundEvent.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(fast).toStrictEqual(parsed.data);
        expect(Object.keys(fast)).toEqual(Object.keys(parsed.data!));
        expect(fast.properties).toBe((parsed.data as { properties: unknown }).properties);
      }),
      { numRuns: 2000 },
    );
    expect(taken).toBeGreaterThan(100); // the generator reaches the fast path, not only zod's
  });

  it('takes the commonest call, and leaves the rest to zod', () => {
    const raw = { type: 'track', userId: 'c1', event: 'Feature Used', properties: { feature: 'inbox' } };
    expect(plainTrack(raw)).toStrictEqual(raw);
    const segment = {
      ...raw,
      messageId: 'm1',
      anonymousId: 'a1',
      timestamp: '2026-11-23T09:00:00.000Z',
      context: { library: { name: 'analytics.js' } },
    };
    expect(plainTrack(segment)).toStrictEqual(InboundEvent.parse(segment));
    expect(plainTrack({ ...segment, timestamp: 'yesterday' })).toBeUndefined(); // zod words the error
    expect(plainTrack({ ...segment, messageId: '' })).toBeUndefined();
    expect(plainTrack({ type: 'track', userId: 'c1', event: 'Signed Up' })).toBeUndefined(); // properties default: zod's
    expect(plainTrack({ ...raw, userId: 1234 })).toBeUndefined(); // coerced to a string by zod
    expect(plainTrack(Object.assign(Object.create({ messageId: 'm1' }), raw))).toBeUndefined();
  });
});

describe('a number sent as a contact id (SPEC §2: taken as its decimal string)', () => {
  it('is written in decimal digits, never in exponent form, and reads back as the same number', () => {
    const id = (userId: number) =>
      (InboundEvent.parse({ type: 'track', userId, event: 'E' }) as { userId: string }).userId;
    expect(id(1234)).toBe('1234');
    expect(id(-7)).toBe('-7');
    expect(id(0.1)).toBe('0.1');
    expect(id(1e21)).toBe('1000000000000000000000');
    expect(id(1.5e-7)).toBe('0.00000015');
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e200, max: 1e200 }), (v) => {
        const text = decimalString(v);
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(text)).toBe(v === 0 ? 0 : v);
      }),
    );
  });
});
