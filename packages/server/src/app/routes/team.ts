import { Hono } from 'hono';
import { z } from 'zod';
import { Team, type Runtime } from '@baton/engine/internal';
import { allow, type ApiEnv } from '../auth.ts';
import { parseBody } from '../body.ts';
import type { Configuration } from '../../server/configuration.ts';

/** A run-time change of a rep: out sick (`active: false`), or capacity for the day. */
export const RepChange = z.strictObject({
  active: z.boolean().optional(),
  capacity: z.int().min(0, 'must be a whole number ≥ 0').optional(),
});

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
  app.put('/', allow('admin'), async (c) => c.json(await config.setTeam(await parseBody(c, Team, 'team'))));
  // Run-time changes (a rep out sick, capacity for the day): waiting handoffs are assigned if they now fit.
  // An unknown rep is a 404 (unknown_rep); the answer is the change as parsed, never the body as sent.
  app.patch('/reps/:id', allow('admin'), async (c) => {
    const change = await parseBody(c, RepChange, 'rep change');
    await runtime.setRep(c.req.param('id'), change);
    return c.json({ id: c.req.param('id'), ...change });
  });
  return app;
}
