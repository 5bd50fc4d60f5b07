import type { z } from 'zod';
import { InputInvalidError, type ValidationError } from '../model/errors.ts';

/** Formats a path as JSONPath: `$.nodes[2].paths[0].when`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Turns zod issues into validation errors, naming the node from `$.nodes[i]` paths. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], nodeAt: (path: readonly PropertyKey[]) => string | null): ValidationError[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => {
          const path = [...issue.path, key];
          return { path: formatPath(path), node: nodeAt(path), message: `unknown field "${key}"` };
        })
      : [{ path: formatPath(issue.path), node: nodeAt(issue.path), message: issue.message }],
  );
}

/**
 * Parses untrusted input with a schema, or throws an InputInvalidError listing every problem with its
 * path; `prefix` places the value inside a larger document (`$.batch[3]`).
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string, prefix: PropertyKey[] = []): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new InputInvalidError(fromZodIssues(r.error.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })), () => null), what);
}
