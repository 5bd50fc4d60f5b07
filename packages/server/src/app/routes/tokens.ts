import { Hono } from 'hono';
import { z } from 'zod';
import { parseInput } from '@baton/engine';
import type { ApiEnv } from '../auth.ts';
import { readJsonBody } from '../body.ts';
import type { Configuration } from '../../server/configuration.ts';

/** What an admin asks for when issuing a token. */
export const TokenRequest = z.strictObject({ role: z.enum(['admin', 'marketer', 'rep']), rep: z.string().optional(), name: z.string().max(100).optional() });

/** API tokens (admins only): issue one per person and role, list them, revoke them. The secret is shown once. */
export function tokenRoutes(config: Configuration): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => c.json({ tokens: config.data.tokens.map(({ token: _secret, ...rest }) => rest) }));
  app.post('/', async (c) => c.json(await config.createToken(parseInput(TokenRequest, await readJsonBody(c), 'token')), 201));
  app.delete('/:id', async (c) => {
    await config.revokeToken(c.req.param('id'));
    return c.body(null, 204);
  });
  return app;
}
