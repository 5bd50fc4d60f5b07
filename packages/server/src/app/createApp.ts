import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { intakeCors } from './intakeCors.ts';
import { allow, tokenAuth, type ApiEnv } from './auth.ts';
import type { AppDeps } from './deps.ts';
import { onError } from './errors.ts';
import { observe } from './observe.ts';
import { secureAnswers } from './secureAnswers.ts';
import { healthRoutes, metricsRoutes } from './routes/ops.ts';
import { FAVICON } from './favicon.ts';
import { landingPage } from './landing.ts';
import { openApiDocument, referencePage } from './openapi.ts';
import { contactRoutes } from './routes/contacts.ts';
import { eventRoutes } from './routes/events.ts';
import { handoffRoutes } from './routes/handoffs.ts';
import { inboundRoutes } from './routes/inbound.ts';
import { journeyRoutes } from './routes/journeys.ts';
import { reportRoutes } from './routes/reports.ts';
import { repModelRoutes } from './routes/repModel.ts';
import { eventExportRoutes } from './routes/eventExport.ts';
import { backtestRoutes } from './routes/backtests.ts';
import type { EventLog } from '../stores/eventLog.ts';
import { simulationRoutes } from './routes/simulations.ts';
import { SimulationSlots } from '../simulation/threads.ts';
import { streamRoutes } from './routes/stream.ts';
import { teamRoutes } from './routes/team.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/**
 * The content security policy of every response. The designer is a Vite build served from this origin:
 * module scripts, one stylesheet and a module Web Worker from `/assets`, `fetch` and EventSource to
 * `/api`, a `data:` favicon. Nothing inline runs, but React Flow positions nodes with inline `style`
 * attributes, and the landing and reference pages carry a `<style>` element: hence `'unsafe-inline'` for
 * styles only. Nothing may frame Baton, and forms may only post back to it.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** No event log (an app built without storage): nothing is kept, the export is empty. */
const NO_EVENTS: EventLog = { append: async () => undefined, read: async () => [], forget: async () => undefined };

/** Baton's HTTP app. It speaks Request/Response; only the entry point listens on a port. */
export function createApp(deps: AppDeps): Hono {
  const { runtime, store, config } = deps;
  const app = new Hono();
  app.onError(onError);
  // First, so every answer carries its request id and every request is logged and measured.
  app.use('*', observe(deps.ops.log, deps.ops.metrics, deps.ops.inFlight));
  // On every response, errors and the event intake included. HSTS is left to whoever terminates TLS in
  // front of Baton (Baton itself speaks plain HTTP); the frame ban matches frame-ancestors 'none'.
  app.use(
    '*',
    secureAnswers({
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      xFrameOptions: 'DENY',
      strictTransportSecurity: false,
    }),
  );
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  if (deps.designerDir) {
    // The built designer: hashed assets cached for good, index.html never (it names the current assets).
    app.use(
      '/assets/*',
      serveStatic({
        root: deps.designerDir,
        onFound: (_path, c) => c.header('cache-control', 'public, max-age=31536000, immutable'),
      }),
    );
    const page = serveStatic({
      root: deps.designerDir,
      path: 'index.html',
      onFound: (_path, c) => c.header('cache-control', 'no-cache'),
    });
    // One page: the designer at /, the reps' inbox at /inbox, reports at /reports.
    for (const path of ['/', '/inbox', '/reports']) app.get(path, page);
  } else {
    app.get('/', (c) => c.html(landingPage(config.data)));
  }
  // The browser's own request for an icon, on any page: Baton's mark rather than a 404.
  app.get('/favicon.ico', (c) =>
    c.body(FAVICON, 200, { 'content-type': 'image/x-icon', 'cache-control': 'public, max-age=86400' }),
  );
  app.route('/', healthRoutes(deps.ops.lifecycle, deps.ops.log));
  app.route('/', metricsRoutes(deps.ops.metrics, config, deps.ops.metricsAccess));
  app.route('/v1/inbound', inboundRoutes(runtime, store, config, deps.replayGuard));
  // Browser sources (analytics.js on the customer's site) post from other origins (SPEC §7).
  app.use('/v1/*', intakeCors(deps.corsOrigins ?? '*'));
  app.route(
    '/v1',
    eventRoutes(runtime, () => config.data.writeKey, deps.events),
  );
  app.get('/api/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/api/reference', (c) => c.html(referencePage()));
  const api = new Hono<ApiEnv>();
  api.use('*', tokenAuth(config));
  api.route('/journeys', journeyRoutes(config));
  api.route(
    '/journeys',
    backtestRoutes(config, store, deps.events ?? NO_EVENTS, () => runtime.clock.now()),
  );
  api.route('/team', teamRoutes(config, runtime));
  // The scores the workspace defines: the designer suggests them as condition fields.
  api.get('/workspace', (c) => c.json(config.data.workspace));
  // Who the token speaks for: the designer and the inbox show what this caller may do.
  api.get('/me', (c) => {
    const { role, rep, name } = c.get('principal');
    const repName = rep === undefined ? undefined : config.data.team.reps.find((r) => r.id === rep)?.name;
    return c.json({ role, rep, name, ...(repName ? { repName } : {}) });
  });
  api.route('/handoffs', handoffRoutes(runtime, store));
  api.route('/contacts', contactRoutes(runtime, store));
  api.use('/reports/*', allow('admin', 'marketer'));
  api.route('/reports', reportRoutes(store));
  api.use('/events', allow('admin', 'marketer'));
  api.route('/events', eventExportRoutes(deps.events ?? NO_EVENTS));
  api.use('/reps/*', allow('admin', 'marketer'));
  api.route(
    '/reps',
    repModelRoutes(
      store,
      () => config.data.team,
      () => runtime.clock.now(),
    ),
  );
  api.use('/simulations/*', allow('admin', 'marketer'));
  api.route('/simulations', simulationRoutes(config, deps.simulations ?? new SimulationSlots()));
  api.route('/stream', streamRoutes(deps.live, runtime, config));
  api.use('/tokens/*', allow('admin'));
  api.route('/tokens', tokenRoutes(config, deps.live));
  api.use('/webhooks/*', allow('admin'));
  api.route('/webhooks', webhookRoutes(config, deps.deliveries));
  app.route('/api', api);
  return app;
}
