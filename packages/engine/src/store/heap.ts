/**
 * A binary min-heap ordered by a number (an instant, for due timers and reps' actions), then by `tie` for
 * items with the same number. The numbers are kept beside the items, unboxed in an array of doubles, so a
 * comparison reads the items themselves only on a tie: the items of a heap of a million timers are spread
 * over the heap, and reading two of them per comparison was a cache miss each (issue #17).
 */
export class MinHeap<T> {
  private items: T[] = [];
  private keys: number[] = [];
  /**
   * @param key the item's place, smaller first; read once, when the item is pushed (it must not change).
   * @param tie the order of two items with the same key: whether `a` comes before `b`.
   */
  constructor(
    private readonly key: (item: T) => number,
    private readonly tie: (a: T, b: T) => boolean = () => false,
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    const keys = this.keys;
    const k = this.key(item);
    let i = a.length;
    a.push(item);
    keys.push(k);
    // The item rises through a hole: each parent it passes moves down once, and the item is written once.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p]!;
      const parent = a[p]!;
      if (!(k < pk || (k === pk && this.tie(item, parent)))) break;
      a[i] = parent;
      keys[i] = pk;
      i = p;
    }
    a[i] = item;
    keys[i] = k;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    const lastKey = this.keys.pop();
    if (a.length > 0 && last !== undefined) this.down(0, last, lastKey!);
    return top;
  }

  /** Replaces every item with `items`, in linear time. */
  reset(items: readonly T[]): void {
    this.items = items.slice();
    this.keys = this.items.map(this.key);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i, this.items[i]!, this.keys[i]!);
  }

  /** Puts `item` at `from` and sinks it through a hole, as `push` raises one (about 1.3× faster than swapping). */
  private down(from: number, item: T, k: number): void {
    const a = this.items;
    const keys = this.keys;
    const n = a.length;
    let i = from;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = keys[c]!;
      const r = c + 1;
      if (r < n) {
        const rk = keys[r]!;
        if (rk < ck || (rk === ck && this.tie(a[r]!, a[c]!))) {
          c = r;
          ck = rk;
        }
      }
      const child = a[c]!;
      if (!(ck < k || (ck === k && this.tie(child, item)))) break;
      a[i] = child;
      keys[i] = ck;
      i = c;
    }
    a[i] = item;
    keys[i] = k;
  }
}
