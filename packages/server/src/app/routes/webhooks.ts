import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../auth.ts';
import { parseBody } from '../body.ts';
import type { Configuration } from '../../server/configuration.ts';
import type { Deliveries, Delivery } from '../../webhooks/deliveries.ts';
import { formatInstant } from '@baton/engine';
import type { DeliveryList, DeliveryView, InboundSecret } from '../responses.ts';

/** A webhook endpoint to add: an http(s) URL and, optionally, the event names it wants. */
export const WebhookRequest = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  events: z.array(z.string()).min(1).optional(),
});

/** Turning an endpoint on again (after a 410) or off. */
export const WebhookChange = z.strictObject({ enabled: z.boolean() });

/** A delivery as the API shows it: instants as ISO 8601 strings. */
const deliveryView = (d: Delivery): z.infer<typeof DeliveryView> => ({
  ...d,
  nextAt: formatInstant(d.nextAt),
  createdAt: formatInstant(d.createdAt),
});

/** Webhook endpoints (admins only), the deliveries waiting, and the dead letters with replay. */
export function webhookRoutes(config: Configuration, deliveries: Deliveries): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => c.json({ endpoints: config.data.webhooks }));
  // The delivery cursor is made durable first: the new endpoint is sent what comes after it (deliveries.ts).
  app.post('/', async (c) => {
    const request = await parseBody(c, WebhookRequest, 'webhook endpoint');
    await deliveries.checkpoint();
    return c.json(await config.addWebhook(request), 201);
  });
  // Turn an endpoint back on after a 410 (or off by hand).
  app.patch('/:id', async (c) => {
    const body = await parseBody(c, WebhookChange, 'webhook change');
    const disabled = body.enabled ? null : { at: new Date().toISOString(), reason: 'disabled by an admin' };
    await deliveries.checkpoint();
    return c.json(await config.updateWebhook(c.req.param('id'), { disabled }));
  });
  app.delete('/:id', async (c) => {
    await config.removeWebhook(c.req.param('id'));
    return c.body(null, 204);
  });
  // The secret a CRM signs inbound webhooks with (Standard Webhooks), and its rotation.
  const inbound = (secret: string): z.infer<typeof InboundSecret> => ({ secret, url: '/v1/inbound' });
  app.get('/inbound', (c) => c.json(inbound(config.data.inboundSecret)));
  app.post('/inbound/rotate', async (c) => c.json(inbound(await config.rotateInboundSecret())));
  app.get('/deliveries', async (c) => {
    await deliveries.current();
    const list: z.infer<typeof DeliveryList> = {
      pending: deliveries.pending().map(deliveryView),
      dead: deliveries.dead().map(deliveryView),
    };
    return c.json(list);
  });
  app.post('/dead-letters/replay', async (c) => c.json({ replayed: await deliveries.replay() }));
  app.post('/dead-letters/:id/replay', async (c) => c.json({ replayed: await deliveries.replay(c.req.param('id')) }));
  return app;
}
