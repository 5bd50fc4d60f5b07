import { Hono } from 'hono';
import type { Runtime } from '@baton/engine';
import { allow, type ApiEnv } from '../auth.ts';
import { readJsonBody } from '../body.ts';
import type { Configuration } from '../../server/configuration.ts';
import { httpError } from '../errors.ts';

/**
 * The team: reps, queues and calendars. Everyone reads it (the designer offers its reps and queues as
 * routing targets); only admins change it, since it holds capacity.
 */
export function teamRoutes(config: Configuration, runtime: Runtime): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => c.json(config.data.team));
  app.get('/reps', (c) => c.json({ reps: config.data.team.reps }));
  app.get('/queues', (c) => c.json({ queues: config.data.team.queues }));
  app.get('/calendars', (c) => c.json({ calendars: config.data.team.calendars }));
  app.put('/', allow('admin'), async (c) => c.json(await config.setTeam(await readJsonBody(c))));
  // Run-time changes (a rep out sick, capacity for the day): waiting handoffs are assigned if they now fit.
  app.patch('/reps/:id', allow('admin'), async (c) => {
    const body = (await readJsonBody(c)) as { active?: unknown; capacity?: unknown };
    if (body.active !== undefined && typeof body.active !== 'boolean') throw httpError(400, 'input_invalid', 'active must be true or false');
    if (body.capacity !== undefined && !(Number.isInteger(body.capacity) && (body.capacity as number) >= 0)) throw httpError(400, 'input_invalid', 'capacity must be a whole number ≥ 0');
    await runtime.setRep(c.req.param('id'), { active: body.active as boolean | undefined, capacity: body.capacity as number | undefined });
    return c.json({ id: c.req.param('id'), ...body });
  });
  return app;
}
