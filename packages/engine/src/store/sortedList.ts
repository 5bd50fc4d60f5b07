/** Items per chunk past which a chunk is split in two. */
const SPLIT = 512;

/**
 * A list kept sorted by a total order, in chunks: insert, delete and finding a position cost
 * O(log n + chunk) instead of an array's O(n) splice, and reading in order from any position is a walk.
 * Items that compare equal are the same item: the order is on a key (`K`, such as creation instant and id),
 * and deleting or reading from a position needs only the key.
 */
export class SortedList<T extends K, K = T> {
  private chunks: T[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: K, b: K) => number) {}

  /** A list of these items (of distinct keys), sorted once and cut into chunks: no insert one at a time. */
  static of<T extends K, K = T>(compare: (a: K, b: K) => number, items: Iterable<T>): SortedList<T, K> {
    const list = new SortedList<T, K>(compare);
    const sorted = [...items].sort(compare);
    for (let i = 0; i < sorted.length; i += SPLIT >> 1) list.chunks.push(sorted.slice(i, i + (SPLIT >> 1)));
    list.count = sorted.length;
    return list;
  }

  /** How many items it holds. */
  get size(): number {
    return this.count;
  }

  /** Adds an item, or replaces the one that compares equal to it. */
  set(item: T): void {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push([item]);
      this.count = 1;
      return;
    }
    const c = Math.min(this.chunkFor(item), chunks.length - 1);
    const chunk = chunks[c]!;
    const i = this.lowerBound(chunk, item);
    if (i < chunk.length && this.compare(chunk[i]!, item) === 0) {
      chunk[i] = item;
      return;
    }
    chunk.splice(i, 0, item);
    this.count++;
    if (chunk.length > SPLIT) chunks.splice(c + 1, 0, chunk.splice(SPLIT >> 1));
  }

  /** Removes the item that compares equal to `item`; whether there was one. */
  delete(item: K): boolean {
    const c = this.chunkFor(item);
    const chunk = this.chunks[c];
    if (chunk === undefined) return false;
    const i = this.lowerBound(chunk, item);
    if (i >= chunk.length || this.compare(chunk[i]!, item) !== 0) return false;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** The items after `after` (every item when it is undefined), in order, at most `limit`. */
  after(after: K | undefined, limit: number): T[] {
    const out: T[] = [];
    let c = after === undefined ? 0 : this.chunkFor(after);
    let i = after === undefined || c >= this.chunks.length ? 0 : this.upperBound(this.chunks[c]!, after);
    for (; c < this.chunks.length && out.length < limit; c++, i = 0) {
      const chunk = this.chunks[c]!;
      for (; i < chunk.length && out.length < limit; i++) out.push(chunk[i]!);
    }
    return out;
  }

  /** The items after `after` (every item when it is undefined), in order, as they are read. */
  *walk(after: K | undefined): Generator<T> {
    let c = after === undefined ? 0 : this.chunkFor(after);
    let i = after === undefined || c >= this.chunks.length ? 0 : this.upperBound(this.chunks[c]!, after);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c]!;
      for (; i < chunk.length; i++) yield chunk[i]!;
    }
  }

  /** Every item, in order. */
  values(): T[] {
    return this.after(undefined, this.count);
  }

  /** The first chunk whose last item is not before `item` (chunks.length when every one is). */
  private chunkFor(item: K): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = this.chunks[mid]!;
      if (this.compare(chunk[chunk.length - 1]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index in `chunk` whose item is not before `item`. */
  private lowerBound(chunk: readonly T[], item: K): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(chunk[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index in `chunk` whose item is after `item`. */
  private upperBound(chunk: readonly T[], item: K): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(chunk[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
