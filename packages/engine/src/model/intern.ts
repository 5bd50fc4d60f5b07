/**
 * One string for many equal ones. A timeline event's name arrives as a new string with every request,
 * and a branch's reasons ("score.fit 40 < 70") are written anew at every decision, though each takes few
 * distinct values: at 100k contacts those copies were about 5% of the heap. A table holds the strings
 * seen; when it is full it starts again, so it stays bounded whatever the input and keeps what is common.
 * Interning changes no value, only how many copies of it are kept.
 */
export class Interner {
  private readonly table = new Map<string, string>();

  constructor(
    private readonly capacity = 4096,
    private readonly longest = 256,
  ) {}

  /** How many strings the table holds. */
  get size(): number {
    return this.table.size;
  }

  /** The kept string equal to `s`, or `s` itself (then kept, unless it is too long). */
  of(s: string): string {
    const kept = this.table.get(s);
    if (kept !== undefined) return kept;
    if (s.length > this.longest) return s;
    if (this.table.size >= this.capacity) this.table.clear();
    this.table.set(s, s);
    return s;
  }
}

/** Names of events put on timelines. */
export const eventNames = new Interner();

/** Short string values of timeline events' properties: a page's path and title, a campaign, a plan. */
export const propertyValues = new Interner(50_000, 64);

/** Texts many contacts keep alike: a decision's reason, a handoff's why, a routing trace line. */
const texts = new Interner(50_000);

/**
 * `parts` joined into one flat string (a template literal leaves a rope of its pieces, about 130 bytes
 * more per text), and the copy seen before when there is one: a million-contact simulation held a copy
 * of "score.fit 82 ≥ 70" per contact (issue #17).
 */
export function sharedText(...parts: (string | number)[]): string {
  return texts.of(parts.join(''));
}

/** The properties of every timeline event that has none: one frozen object rather than one each. */
export const NO_PROPERTIES: Record<string, unknown> = Object.freeze({});

/** Whether an object has an own enumerable key (without making the array of them). */
export function hasKeys(o: object): boolean {
  for (const key in o) if (Object.hasOwn(o, key)) return true;
  return false;
}
