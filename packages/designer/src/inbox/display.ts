/**
 * How the inbox shows a contact's traits and an event's properties to a rep: as fields to read, not as
 * JSON (Segment's `company` trait is an object).
 */

/**
 * One value: text as it is; a list of plain values with commas (unless one holds a comma, which would make
 * the list ambiguous); anything else, and an empty list or object, as JSON.
 */
export function plainValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((x) => typeof x !== 'object' && !(typeof x === 'string' && x.includes(',')))
  )
    return v.join(', ');
  return JSON.stringify(v) ?? String(v);
}

/** A trait or an event's properties: an object with fields as `name: Acme · id: co_1`, anything else as `plainValue`. */
export function shownValue(v: unknown): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return plainValue(v);
  const fields = Object.entries(v);
  if (fields.length === 0) return '{}';
  return fields.map(([k, x]) => `${k}: ${plainValue(x)}`).join(' · ');
}
