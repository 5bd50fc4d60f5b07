import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../auth.ts';
import { parseBody } from '../body.ts';
import type { Configuration } from '../../server/configuration.ts';
import type { LiveFeed } from '../../live/liveFeed.ts';

/** What an admin asks for when issuing a token. */
export const TokenRequest = z.strictObject({
  role: z.enum(['admin', 'marketer', 'rep']),
  rep: z.string().optional(),
  name: z.string().max(100).optional(),
});

/**
 * API tokens (admins only): issue one per person and role, list them, revoke them. The secret is shown
 * once. A revoked token stops working at once, its open live streams included.
 */
export function tokenRoutes(config: Configuration, live: LiveFeed): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => c.json({ tokens: config.data.tokens.map(({ token: _secret, ...rest }) => rest) }));
  app.post('/', async (c) => c.json(await config.createToken(await parseBody(c, TokenRequest, 'token')), 201));
  app.delete('/:id', async (c) => {
    await config.revokeToken(c.req.param('id'));
    live.revoke(c.req.param('id'));
    return c.body(null, 204);
  });
  return app;
}
