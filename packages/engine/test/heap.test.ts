import { describe, expect, it } from 'vitest';
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
