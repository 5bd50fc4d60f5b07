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

/** What a value of each JSON type is called in a message. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/**
 * A zod issue's message in the user's terms: zod's own wording ("Invalid input: expected string,
 * received undefined") becomes what the field needs ("is required: a string"); messages a schema
 * wrote itself are kept as they are.
 */
export function plainMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    const needs = TYPE_NAMES[issue.expected] ?? issue.expected;
    const received = /received (\w+)/.exec(issue.message)?.[1];
    return received === undefined || received === 'undefined'
      ? `is required: ${needs}`
      : `must be ${needs}, not ${TYPE_NAMES[received] ?? received}`;
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid option'))
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input')
    return 'does not match any of the shapes allowed here';
  if ((issue.code === 'too_small' || issue.code === 'too_big') && /^Too (small|big)/.test(issue.message))
    return boundMessage(issue);
  return issue.message;
}

/** zod's "Too small: expected number to be >0" as what the field needs: "must be more than 0". */
function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  const exact = (issue as { exact?: boolean }).exact === true;
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set') {
    const unit = issue.origin === 'string' ? 'character' : 'item';
    if (exact) return `must be exactly ${count(bound, unit)}`;
    if (small) return bound <= 1 ? 'must not be empty' : `must be at least ${count(bound, unit)}`;
    return `must be at most ${count(bound, unit)}`;
  }
  if (issue.origin !== 'number' && issue.origin !== 'int') return issue.message;
  if (small) return inclusive ? `must be ${bound} or more` : `must be more than ${bound}`;
  return inclusive ? `must be ${bound} or less` : `must be less than ${bound}`;
}

/** Turns zod issues into validation errors, naming the node from `$.nodes[i]` paths. */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  nodeAt: (path: readonly PropertyKey[]) => string | null,
): ValidationError[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => {
          const path = [...issue.path, key];
          return { path: formatPath(path), node: nodeAt(path), message: `unknown field "${key}"` };
        })
      : [{ path: formatPath(issue.path), node: nodeAt(issue.path), message: plainMessage(issue) }],
  );
}

/**
 * Parses untrusted input with a schema, or throws an InputInvalidError listing every problem with its
 * path; `prefix` places the value inside a larger document (`$.batch[3]`).
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string, prefix: PropertyKey[] = []): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new InputInvalidError(
    fromZodIssues(
      r.error.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })),
      () => null,
    ),
    what,
  );
}
