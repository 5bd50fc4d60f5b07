import type { Context } from 'hono';
import { httpError } from './errors.ts';

/**
 * Reads a JSON request body; malformed JSON is a 400 that says so. With `optional`, an empty body reads
 * as `{}` (a rep's accept needs no options).
 */
export async function readJsonBody(c: Context, options: { optional?: boolean } = {}): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '' && options.optional) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw httpError(400, 'input_invalid', 'the body is not valid JSON');
  }
}
