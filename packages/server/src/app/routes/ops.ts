import { Hono } from 'hono';
import { z } from 'zod';
import type { Lifecycle } from '../../ops/lifecycle.ts';
import type { Logger } from '../../ops/logger.ts';
import type { Metrics, MetricsAccess } from '../../ops/metrics.ts';
import type { Configuration } from '../../server/configuration.ts';
import { principalOf } from '../auth.ts';
import { httpError } from '../errors.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** What `/healthz` and `/readyz` answer: one word. */
export const HealthAnswer = z.object({
  status: z.enum(['ok', 'ready', 'starting', 'draining', 'stopped', 'unavailable']),
});

/**
 * `/healthz` (the process answers) and `/readyz` (it should get traffic: started, not draining, the
 * store reachable with its schema migrated, the scheduler running; 503 otherwise). Neither needs a
 * token, and neither says more than one status word: no versions, no counts, no reasons (those go to the
 * log, once each time readiness changes).
 */
export function healthRoutes(lifecycle: Lifecycle, log: Logger): Hono {
  const app = new Hono();
  let last = '';
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, NO_STORE));
  app.get('/readyz', async (c) => {
    const r = await lifecycle.readiness();
    if (r.status !== last) {
      last = r.status;
      if (r.ready) log.info({ readiness: r.status }, 'ready');
      else log.warn({ readiness: r.status, problem: r.problem }, 'not ready');
    }
    return c.json({ status: r.status }, r.ready ? 200 : 503, NO_STORE);
  });
  return app;
}

/** `/metrics` in Prometheus's text format, for an admin token unless access is `open`. */
export function metricsRoutes(metrics: Metrics, config: Configuration, access: MetricsAccess): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    if (access !== 'open') {
      const header = c.req.header('authorization');
      const principal = header?.startsWith('Bearer ') ? principalOf(config, header.slice(7)) : undefined;
      if (!principal)
        throw httpError(
          401,
          'unauthorized',
          'send an admin token as "Authorization: Bearer TOKEN", or start Baton with --metrics open (BATON_METRICS=open)',
        );
      if (principal.role !== 'admin')
        throw httpError(403, 'forbidden', `a ${principal.role} token cannot read metrics; it needs an admin token`);
    }
    const { text, contentType } = await metrics.scrape();
    return c.body(text, 200, { 'content-type': contentType, ...NO_STORE });
  });
  return app;
}

/**
 * What a process answers while it opens its storage (migrations, a journal replayed): alive, not ready,
 * and 503 with Retry-After for everything else, so a load balancer sends the request elsewhere.
 */
export function startingApp(lifecycle: Lifecycle, log: Logger): Hono {
  const app = new Hono();
  app.route('/', healthRoutes(lifecycle, log));
  app.all('*', (c) =>
    c.json({ error: { code: 'starting', message: 'Baton is starting; try again shortly' } }, 503, {
      'retry-after': '1',
    }),
  );
  return app;
}
