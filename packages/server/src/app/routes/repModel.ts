import { Hono } from 'hono';
import { fitRepModel, type Store } from '@baton/engine/internal';
import type { ApiEnv } from '../auth.ts';
import { periodOf } from '../period.ts';

/**
 * The reps' behaviour fitted to recorded handoffs created in `[from, to)` (SPEC §10's backtest): per rep,
 * accept share, mean times to accept and to outcome, and the outcome mix per journey and node. The same
 * JSON is what `baton simulate --events --reps` takes.
 */
export function repModelRoutes(store: Store): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/model', async (c) => {
    const { from, to } = periodOf(c);
    return c.json(fitRepModel(await store.handoffs({}), from, to));
  });
  return app;
}
