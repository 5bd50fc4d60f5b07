import type { Context } from 'hono';
import type { z } from 'zod';
import { isObject, parseInput } from '@baton/engine/internal';
import { httpError } from './errors.ts';

/**
 * How deep a JSON body may nest. JSON.parse takes any depth, but what walks the value afterwards (zod,
 * the validator, JSON.stringify when it is stored or answered) recurses and overflows the stack on a few
 * thousand levels: a 500, or a data file that cannot be written. No journey, team or event comes near it.
 */
export const MAX_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit` (walked with a stack of its own, not by recursion). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [v, depth] = next;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * Parses JSON text from a request; malformed or too deeply nested JSON is a 400 that says so. With
 * `eventsAt`, the list under that key of a body holds events its reader checks one by one (a batch: one
 * event too deep is refused alone, SPEC §7), and only the rest of the body is checked here.
 */
export function parseJsonText(text: string, eventsAt?: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw httpError(400, 'input_invalid', 'the body is not valid JSON');
  }
  const deep =
    eventsAt !== undefined && isObject(value) && Array.isArray(value[eventsAt])
      ? Object.entries(value).some(([key, v]) => key !== eventsAt && nestsDeeperThan(v, MAX_DEPTH - 1))
      : nestsDeeperThan(value, MAX_DEPTH);
  if (deep) throw httpError(400, 'input_invalid', `the body nests deeper than ${MAX_DEPTH} levels`);
  return value;
}

/**
 * Reads a JSON request body; malformed JSON is a 400 that says so. With `optional`, an empty body reads
 * as `{}` (a rep's accept needs no options).
 */
export async function readJsonBody(c: Context, options: { optional?: boolean } = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '' && options.optional) return {};
  return parseJsonText(text);
}

/**
 * Reads a JSON request body and parses it with `schema`: what a route uses is what the schema let
 * through, and anything else (a wrong type, an unknown field) is a 400 naming its path.
 */
export async function parseBody<T>(
  c: Context,
  schema: z.ZodType<T>,
  what: string,
  options: { optional?: boolean } = {},
): Promise<T> {
  return parseInput(schema, await readJsonBody(c, options), what);
}
