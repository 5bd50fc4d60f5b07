import { describe, expect, it } from 'vitest';
import { plainValue, shownValue } from '../src/inbox/display.ts';

describe('the inbox shows traits and properties as fields', () => {
  it('reads an object by its fields, as a rep would say it', () => {
    expect(shownValue({ name: 'Acme', id: 'co_1', employee_count: 900 })).toBe(
      'name: Acme · id: co_1 · employee_count: 900',
    );
    expect(shownValue({ path: '/pricing', tags: ['a', 'b'] })).toBe('path: /pricing · tags: a, b');
  });

  it('keeps text, numbers and lists as they are', () => {
    expect(shownValue('VP Sales')).toBe('VP Sales');
    expect(shownValue(900)).toBe('900');
    expect(shownValue(true)).toBe('true');
    expect(shownValue(['EMEA', 'NA'])).toBe('EMEA, NA');
    expect(shownValue(null)).toBe('null');
  });

  it('falls back to JSON where fields would hide something: empty, nested, or a comma inside a list', () => {
    expect(shownValue({})).toBe('{}');
    expect(shownValue([])).toBe('[]');
    expect(plainValue([1, 'a, b'])).toBe('[1,"a, b"]');
    expect(shownValue({ company: { name: 'Acme' } })).toBe('company: {"name":"Acme"}');
    expect(shownValue([{ a: 1 }])).toBe('[{"a":1}]');
  });

  it('shows hostile keys as text, without reading through them', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "x"}') as unknown;
    expect(shownValue(parsed)).toBe('__proto__: {"polluted":1} · constructor: x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
