/**
 * Strings that many contacts keep alike (a decision's reason, "score.fit 82 ≥ 70"; a handoff's why), one
 * copy each: a million-contact simulation held a copy per contact (issue #17). Built flat (joined, not a
 * template literal, which leaves a rope of its pieces) and looked up among those seen before; bounded: past
 * `LIMIT` distinct strings, new ones are kept as they are.
 */
export function sharedText(...parts: (string | number)[]): string {
  const text = parts.join('');
  const known = seen.get(text);
  if (known !== undefined) return known;
  if (seen.size < LIMIT) seen.set(text, text);
  return text;
}

const LIMIT = 50_000;
const seen = new Map<string, string>();
