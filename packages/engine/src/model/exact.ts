/**
 * Arrays that are kept in a contact's state, built at their exact length. V8 gives arrays made by spread,
 * push, filter or flatMap spare capacity (about 17 slots, 130 bytes or more), and with 100k contacts
 * waiting that slack would be most of a contact's memory. `concat` and `slice` allocate exactly, and so
 * does `new Array(n)` filled in a loop, which `appended` uses: it runs several times per event, and
 * `concat` (which checks every argument for spreadability) took five times as long on short lists.
 */

/** `list` with `item` added at the end. */
export function appended<T>(list: readonly T[], item: T): T[] {
  const n = list.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i]!;
  out[n] = item;
  return out;
}

/** `list` with `item` inserted at `index`. */
export function inserted<T>(list: readonly T[], index: number, item: T): T[] {
  return index >= list.length ? appended(list, item) : list.slice(0, index).concat([item], list.slice(index));
}

/** The items of `list` that `keep` accepts. */
export function kept<T>(list: readonly T[], keep: (item: T) => boolean): T[] {
  return exactly(list.filter(keep));
}

/** A copy of `list` at its exact length, for a list made by flatMap or push that is about to be kept. */
export function exactly<T>(list: readonly T[]): T[] {
  return list.slice();
}
