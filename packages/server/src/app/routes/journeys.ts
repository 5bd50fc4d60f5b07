import { Hono } from 'hono';
import type { ServerConfig } from '../deps.ts';
import { httpError } from '../errors.ts';

/** Journeys: the published versions (drafts and publishing come with the designer). */
export function journeyRoutes(config: ServerConfig): Hono {
  const app = new Hono();
  const latest = () => {
    const byId = new Map<string, ServerConfig['journeys'][number]>();
    for (const j of config.journeys) if ((byId.get(j.id)?.version ?? 0) < j.version) byId.set(j.id, j);
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  };
  app.get('/', (c) =>
    c.json({
      journeys: latest().map((j) => ({ id: j.id, name: (j.definition as { name?: string }).name ?? j.id, version: j.version, status: 'published', publishedAt: j.publishedAt })),
    }),
  );
  app.get('/:id', (c) => {
    const j = latest().find((x) => x.id === c.req.param('id'));
    if (!j) throw httpError(404, 'not_found', `no journey ${c.req.param('id')}`);
    return c.json({ ...j, versions: config.journeys.filter((x) => x.id === j.id).map((x) => ({ version: x.version, publishedAt: x.publishedAt })) });
  });
  return app;
}
