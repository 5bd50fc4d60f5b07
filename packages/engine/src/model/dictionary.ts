import { z } from 'zod';
import { isObject } from './primitives.ts';

/**
 * Objects keyed by ids a user chose (journeys, nodes, reps, queues, scores, outcomes, traits, contacts).
 * An id such as `__proto__`, `constructor` or `toString` is a valid id (SPEC §2), so such objects never
 * inherit anything and are read by own keys only: `obj[id] = v` on a plain `{}` with the id `__proto__`
 * replaces the object's prototype (or, through `obj[a] ??= {}`, writes to `Object.prototype` itself), and
 * `obj[id]` reads `Object.prototype.toString` for the id `toString`.
 */

/** An empty object with no prototype, for output keyed by user-given ids: every key, `__proto__` too, is its own. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The value `obj` holds under `key` itself, never an inherited one (`toString`, `constructor`, `__proto__`). */
export function own<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

const PROTO = '__proto__';

/** zod's record drops a `__proto__` key on purpose, so that it cannot replace the prototype of the `{}` it builds. */
const OwnRecordSchema = z.core.$constructor('OwnRecord', (inst: z.ZodRecord, def: z.core.$ZodRecordDef) => {
  z.ZodRecord.init(inst, def);
  const parse = inst._zod.parse;
  inst._zod.parse = (payload, ctx) => {
    const input = payload.value;
    const result = parse(payload, ctx);
    if (!isObject(input) || !Object.hasOwn(input, PROTO) || result instanceof Promise || result.value === input)
      return result;
    const key = def.keyType._zod.run({ value: PROTO, issues: [] }, ctx);
    if (key instanceof Promise || key.issues.length > 0) {
      result.issues.push({
        code: 'invalid_key',
        origin: 'record',
        issues: key instanceof Promise ? [] : key.issues.map((i) => z.core.util.finalizeIssue(i, ctx, z.core.config())),
        input: PROTO,
        path: [PROTO],
        inst,
      });
      return result;
    }
    const value = def.valueType._zod.run({ value: input[PROTO], issues: [] }, ctx);
    if (value instanceof Promise) return result;
    for (const issue of value.issues) result.issues.push({ ...issue, path: [PROTO, ...(issue.path ?? [])] });
    // Rebuilt in the input's key order, with `__proto__` defined as an own property where it stood.
    const parsed = result.value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(input)) {
      if (k === PROTO)
        Object.defineProperty(out, PROTO, { value: value.value, enumerable: true, writable: true, configurable: true });
      else if (Object.hasOwn(parsed, k)) out[k] = parsed[k];
    }
    result.value = out;
    return result;
  };
});

/**
 * `z.record(key, value)` that keeps a `__proto__` key as an own entry (zod drops it). The parsed object is
 * a plain object, so read it with `own` or by its entries; its JSON Schema is the record's.
 */
export function ownRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V): z.ZodRecord<K, V> {
  return new OwnRecordSchema({ type: 'record', keyType: key, valueType: value }) as unknown as z.ZodRecord<K, V>;
}
