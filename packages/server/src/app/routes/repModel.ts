import { Hono } from 'hono';
import { fitRepModel, parseInstant, type Store } from '@baton/engine/internal';
import type { ApiEnv } from '../auth.ts';
import { httpError } from '../errors.ts';

const instant = (name: string, value: string | undefined): number | null => {
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
};

/**
 * The reps' behaviour fitted to recorded handoffs created in `[from, to)` (SPEC §10's backtest): per rep,
 * accept share, mean times to accept and to outcome, and the outcome mix per journey and node. The same
 * JSON is what `baton simulate --events --reps` takes.
 */
export function repModelRoutes(store: Store): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/model', async (c) => {
    const from = instant('from', c.req.query('from'));
    const to = instant('to', c.req.query('to'));
    if (from !== null && to !== null && to < from)
      throw httpError(
        400,
        'input_invalid',
        `to (${c.req.query('to')}) must not be before from (${c.req.query('from')})`,
      );
    return c.json(fitRepModel(await store.handoffs({}), from, to));
  });
  return app;
}
