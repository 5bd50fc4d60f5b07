import { Hono } from 'hono';
import { tokenAuth } from './auth.ts';
import type { AppDeps } from './deps.ts';
import { onError } from './errors.ts';
import { landingPage } from './landing.ts';
import { contactRoutes } from './routes/contacts.ts';
import { eventRoutes } from './routes/events.ts';
import { handoffRoutes } from './routes/handoffs.ts';
import { journeyRoutes } from './routes/journeys.ts';

/** Baton's HTTP app. It speaks Request/Response; only the entry point listens on a port. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.get('/', (c) => c.html(landingPage(deps.config)));
  app.route('/v1', eventRoutes(deps.runtime, deps.config.writeKey));
  const api = new Hono();
  api.use('*', tokenAuth(deps.config.adminToken));
  api.route('/journeys', journeyRoutes(deps.config));
  api.route('/handoffs', handoffRoutes(deps.runtime, deps.store));
  api.route('/contacts', contactRoutes(deps.runtime, deps.store));
  app.route('/api', api);
  return app;
}
