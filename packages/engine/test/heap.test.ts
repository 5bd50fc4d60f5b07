import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MinHeap } from '../src/store/heap.ts';

describe('the due-timer heap', () => {
  it('rebuilds from any number of items, far more than a call can take as arguments, and pops them in order', () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    const items = Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_000);
    heap.reset(items);
    expect(heap.size).toBe(300_000);
    let previous = -1;
    for (let n = 0; n < 300_000; n++) {
      const next = heap.pop()!;
      expect(next).toBeGreaterThan(previous);
      previous = next;
    }
    expect(heap.pop()).toBeUndefined();
  });
});

describe('the heap under pushes and pops in any order (property)', () => {
  it('always pops the least item, ties by the comparator, as a sorted list would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ due: fc.integer({ min: 0, max: 20 }), id: fc.integer() }), fc.constant(null)), {
          maxLength: 300,
        }),
        (ops) => {
          type Item = { due: number; id: number };
          const less = (a: Item, b: Item) => a.due < b.due || (a.due === b.due && a.id < b.id);
          const heap = new MinHeap<Item>(less);
          const model: Item[] = [];
          for (const op of ops) {
            if (op !== null) {
              heap.push(op);
              model.push(op);
              model.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
            } else {
              const popped = heap.pop();
              const expected = model.shift();
              expect(popped?.due).toBe(expected?.due);
              expect(popped?.id).toBe(expected?.id);
            }
            expect(heap.size).toBe(model.length);
            expect(heap.peek()?.due).toBe(model[0]?.due);
          }
        },
      ),
    );
  });
});
