import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedList } from '../src/store/sortedList.ts';

type Item = { key: number; tag: string };
const byKey = (a: Item, b: Item) => a.key - b.key;

describe('the sorted list behind the waiting-handoff index', () => {
  it('holds what a sorted array would, under any sequence of adds, replacements and deletes, and reads in order from any position (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 }), fc.string({ maxLength: 2 })), {
          maxLength: 3000,
        }),
        fc.integer({ min: -1, max: 3001 }),
        fc.integer({ min: 0, max: 600 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { maxLength: 1500 }),
        (ops, from, limit, initial) => {
          // Made from a first set of items at once (in any order), then changed one at a time.
          const first = initial.map((key) => ({ key, tag: 'first' }));
          const list = SortedList.of<Item>(byKey, first);
          const model = new Map<number, Item>(first.map((x) => [x.key, x]));
          expect(list.values()).toEqual([...model.values()].sort(byKey));
          for (const [add, key, tag] of ops) {
            if (add) {
              list.set({ key, tag });
              model.set(key, { key, tag });
            } else {
              expect(list.delete({ key, tag: '' })).toBe(model.delete(key));
            }
          }
          const sorted = [...model.values()].sort(byKey);
          expect(list.size).toBe(sorted.length);
          expect(list.values()).toEqual(sorted);
          expect(list.after({ key: from, tag: '' }, limit)).toEqual(sorted.filter((x) => x.key > from).slice(0, limit));
          expect(list.after(undefined, limit)).toEqual(sorted.slice(0, limit));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays in order over more items than several chunks hold, added backwards and deleted from the front', () => {
    const list = new SortedList<Item>(byKey);
    for (let k = 5000; k > 0; k--) list.set({ key: k, tag: '' });
    for (let k = 1; k <= 2500; k++) list.delete({ key: k, tag: '' });
    expect(list.values().map((x) => x.key)).toEqual(Array.from({ length: 2500 }, (_, i) => 2501 + i));
    expect(list.after({ key: 4999, tag: '' }, 10).map((x) => x.key)).toEqual([5000]);
  });
});
