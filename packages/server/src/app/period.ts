import type { Context } from 'hono';
import { parseInstant } from '@baton/engine/internal';
import { httpError } from './errors.ts';

/** One instant of the query (`from` or `to`), or null when absent; a malformed one is a 400 naming it. */
function instantParam(c: Context, name: 'from' | 'to'): number | null {
  const value = c.req.query(name);
  if (value === undefined || value === '') return null;
  try {
    return parseInstant(value);
  } catch {
    throw httpError(
      400,
      'input_invalid',
      `${name} must be an ISO 8601 instant such as 2026-11-01T00:00:00Z, got "${value}"`,
    );
  }
}

/** The period a request asks for (`?from=&to=`, ISO 8601 instants, `[from, to)`): either end may be open; `to` before `from` is a 400. */
export function periodOf(c: Context): { from: number | null; to: number | null } {
  const from = instantParam(c, 'from');
  const to = instantParam(c, 'to');
  if (from !== null && to !== null && to < from) {
    throw httpError(400, 'input_invalid', `to (${c.req.query('to')}) must not be before from (${c.req.query('from')})`);
  }
  return { from, to };
}
