import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MinHeap } from '../src/store/heap.ts';

describe('the due-timer heap', () => {
  it('rebuilds from any number of items, far more than a call can take as arguments, and pops them in order', () => {
    const heap = new MinHeap<number>((a) => a);
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
  // Small whole numbers, and instants as timers hold them (doubles past the small-integer range), with
  // many ties either way; a reset part way through rebuilds from the items held.
  const due = fc.oneof(
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: 0, max: 4 }).map((n) => 1_767_600_000_000 + n * 1000),
    fc.constantFrom(-0.5, 0.25, 1e300),
  );
  it('always pops the least key, ties by the tie order, as a sorted list would', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { arbitrary: fc.record({ due, id: fc.integer() }), weight: 6 },
            { arbitrary: fc.constant(null), weight: 3 },
            { arbitrary: fc.constant('reset' as const), weight: 1 },
          ),
          { maxLength: 300, size: 'max' }, // (fast-check's default size keeps arrays to about ten items: heaps too small to go deep)
        ),
        (ops) => {
          type Item = { due: number; id: number };
          const less = (a: Item, b: Item) => a.due < b.due || (a.due === b.due && a.id < b.id);
          const heap = new MinHeap<Item>(
            (a) => a.due,
            (a, b) => a.id < b.id,
          );
          const model: Item[] = [];
          for (const op of ops) {
            if (op === 'reset') {
              heap.reset([...model].reverse());
            } else if (op !== null) {
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
