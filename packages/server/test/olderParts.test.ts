import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@baton/engine';
import { OlderParts } from '../src/stores/postgres/olderParts.ts';

const events = (n: number): HistoryEvent[] =>
  Array.from({ length: n }, (_, i) => ({ name: 'Page Viewed', at: i, properties: {} }));

describe('the older parts a PostgreSQL process holds', () => {
  it('lets the least recently used go once the events held pass the budget', () => {
    const parts = new OlderParts(100);
    const a = events(40);
    const b = events(40);
    parts.keep('a', 'ka', a);
    parts.keep('b', 'kb', b);
    expect(parts.get('a')).toEqual({ key: 'ka', history: a }); // now the most recently used
    parts.keep('c', 'kc', events(40));
    expect(parts.get('b')).toBeUndefined();
    expect(parts.get('a')?.history).toBe(a);
    expect(parts.size).toEqual({ events: 80, contacts: 2 });
  });

  it('holds one older part a contact, the last kept, and none larger than the budget', () => {
    const parts = new OlderParts(100);
    parts.keep('__proto__', 'k1', events(30));
    const newer = events(50);
    parts.keep('__proto__', 'k2', newer);
    expect(parts.get('__proto__')).toEqual({ key: 'k2', history: newer });
    expect(parts.size).toEqual({ events: 50, contacts: 1 });
    parts.keep('__proto__', 'k3', events(101));
    expect(parts.get('__proto__')).toBeUndefined();
    expect(parts.size).toEqual({ events: 0, contacts: 0 });
    parts.keep('x', 'k', events(10));
    parts.drop('x');
    parts.drop('x');
    expect(parts.size).toEqual({ events: 0, contacts: 0 });
  });

  it('takes what a read found only in place of what was held when the read began', () => {
    const parts = new OlderParts(100);
    parts.keep('a', 'k1', events(10));
    const began = parts.get('a');
    parts.keep('a', 'k2', events(10)); // a commit that finished while the read was out
    parts.replace('a', began, { key: 'k0', history: events(10) });
    expect(parts.get('a')?.key).toBe('k2');
    parts.replace('a', parts.get('a'), undefined); // the row holds another part, read whole: let go
    expect(parts.get('a')).toBeUndefined();
    expect(parts.size).toEqual({ events: 0, contacts: 0 });
    parts.replace('a', undefined, { key: 'k3', history: events(5) });
    expect(parts.get('a')?.key).toBe('k3');
  });
});
