import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { JsonObject, MigrationMap } from '@baton/engine/internal';
import { allow, type ApiEnv } from '../auth.ts';
import { parseBody } from '../body.ts';
import type { Configuration } from '../../server/configuration.ts';
import { httpError } from '../errors.ts';

/**
 * A journey document from the body: a JSON object, kept as sent (`JsonObject` does not rebuild it). It is
 * the document being edited and may be invalid: validation, answered with every save, names whatever is
 * wrong inside it, and publish refuses it until nothing is.
 */
const journeyDocument = (c: Context, options: { optional?: boolean } = {}) =>
  parseBody(c, JsonObject, 'journey', options);

/** A publish's options: a migration map moves the contacts waiting in older versions (SPEC §10). */
export const PublishRequest = z.strictObject({ migrate: MigrationMap.optional() });

/** What a migration plan is asked about: a journey (default: the draft) and the map (default: by node id). */
export const MigrationPlanRequest = z.strictObject({
  journey: JsonObject.optional(),
  migrate: MigrationMap.optional(),
});

const nameOf = (definition: unknown, id: string) => {
  const name = (definition as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : id;
};

/**
 * Journeys: every role reads them; admins and marketers edit drafts, validate, publish (an immutable
 * version; contacts stay on the version they started) and archive.
 */
export function journeyRoutes(config: Configuration): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const summary = (id: string) => {
    const latest = config.latest(id);
    const draft = config.draft(id);
    return {
      id,
      name: nameOf(draft?.definition ?? latest?.definition, id),
      status: config.isArchived(id) ? 'archived' : latest ? 'published' : 'draft',
      version: latest?.version ?? null,
      publishedAt: latest?.publishedAt ?? null,
      draft: draft ? { updatedAt: draft.updatedAt, valid: config.validate(draft.definition).valid } : null,
    };
  };
  const known = (id: string) => {
    if (!config.journeyIds().includes(id)) throw httpError(404, 'not_found', `no journey ${id}`);
    return id;
  };
  const editors = allow('admin', 'marketer');

  app.get('/', (c) => c.json({ journeys: config.journeyIds().map(summary) }));
  app.get('/:id', (c) => {
    const id = known(c.req.param('id'));
    const latest = config.latest(id);
    return c.json({
      ...summary(id),
      definition: latest?.definition ?? null,
      draftDefinition: config.draft(id)?.definition ?? null,
      versions: config.versions(id).map((v) => ({ version: v.version, publishedAt: v.publishedAt })),
    });
  });
  app.get('/:id/versions/:version', (c) => {
    const id = known(c.req.param('id'));
    const v = config.versions(id).find((x) => String(x.version) === c.req.param('version'));
    if (!v) throw httpError(404, 'not_found', `journey ${id} has no version ${c.req.param('version')}`);
    return c.json(v);
  });
  app.post('/', editors, async (c) => {
    const draft = await config.createDraft(await journeyDocument(c));
    const id = (draft.definition as { id: string }).id;
    return c.json({ ...summary(id), validation: config.validate(draft.definition) }, 201);
  });
  app.put('/:id/draft', editors, async (c) => {
    const id = c.req.param('id');
    const draft = await config.saveDraft(id, await journeyDocument(c));
    return c.json({ ...summary(id), validation: config.validate(draft.definition) });
  });
  app.delete('/:id/draft', editors, async (c) => {
    await config.discardDraft(c.req.param('id'));
    return c.body(null, 204);
  });
  // Validates the body when one is sent, else the journey's draft.
  app.post('/:id/validate', editors, async (c) => {
    const body = await journeyDocument(c, { optional: true });
    const definition = Object.keys(body).length > 0 ? body : config.draftOf(c.req.param('id')).definition;
    return c.json(config.validate(definition));
  });
  app.post('/:id/publish', editors, async (c) => {
    const { migrate } = await parseBody(c, PublishRequest, 'publish', { optional: true });
    return c.json(await config.publish(c.req.param('id'), migrate), 201);
  });
  // What a publish with this map would move, from which node to which, and who cannot move and why.
  app.post('/:id/migration-plan', editors, async (c) => {
    const { journey, migrate } = await parseBody(c, MigrationPlanRequest, 'migration plan', { optional: true });
    return c.json(await config.migrationPlan(known(c.req.param('id')), journey, migrate ?? {}));
  });
  app.post('/:id/archive', editors, async (c) => {
    await config.archive(c.req.param('id'));
    return c.json(summary(c.req.param('id')));
  });
  return app;
}
