import { describe, expect, it } from 'vitest';
import { ScoreModel, computeScore } from '../src/internal.ts';
import { DAY, T0 } from './helpers.ts';

const fit = ScoreModel.parse({
  rules: [
    { when: { field: 'contact.employees', op: 'gte', value: 500 }, points: 40 },
    { when: { field: 'contact.title', op: 'contains', value: 'VP' }, points: 30 },
  ],
  max: 100,
});
const intent = ScoreModel.parse({
  events: [
    { event: 'Page Viewed', where: { field: 'event.properties.path', op: 'eq', value: '/pricing' }, points: 15 },
    { event: 'Demo Requested', points: 50 },
  ],
  halfLife: 'P14D',
  max: 100,
});
const input = (
  traits: Record<string, unknown>,
  history: { name: string; at: number; properties?: Record<string, unknown> }[] = [],
) => ({
  contactId: 'c1',
  traits,
  history: history.map((h) => ({ properties: {}, ...h })),
  now: T0,
});

describe('scores', () => {
  it('sums the points of every matching rule', () => {
    expect(computeScore(fit, input({ employees: 900, title: 'VP Sales' }))).toBe(70);
    expect(computeScore(fit, input({ employees: 900, title: 'Engineer' }))).toBe(40);
    expect(computeScore(fit, input({}))).toBe(0);
  });

  it('halves event points every half-life', () => {
    expect(computeScore(intent, input({}, [{ name: 'Demo Requested', at: T0 }]))).toBe(50);
    expect(computeScore(intent, input({}, [{ name: 'Demo Requested', at: T0 - 14 * DAY }]))).toBe(25);
    expect(computeScore(intent, input({}, [{ name: 'Demo Requested', at: T0 - 28 * DAY }]))).toBe(13); // 12.5 rounds up
  });

  it('only counts events that match where', () => {
    const views = [
      { name: 'Page Viewed', at: T0, properties: { path: '/pricing' } },
      { name: 'Page Viewed', at: T0, properties: { path: '/blog' } },
    ];
    expect(computeScore(intent, input({}, views))).toBe(15);
  });

  it('caps the total at max', () => {
    const many = Array.from({ length: 5 }, () => ({ name: 'Demo Requested', at: T0 }));
    expect(computeScore(intent, input({}, many))).toBe(100);
  });
});
