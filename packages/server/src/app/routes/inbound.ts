import { Hono } from 'hono';
import { z } from 'zod';
import { parseInput, type Runtime, type Store } from '@baton/engine';
import type { Configuration } from '../../server/configuration.ts';
import { verifyProblem } from '../../webhooks/signature.ts';
import type { ReplayGuard } from '../../webhooks/replayGuard.ts';
import { httpError } from '../errors.ts';

/** What a CRM tells Baton: a handoff was accepted, rejected or closed with an outcome over there. */
export const InboundWebhook = z.discriminatedUnion('type', [
  z.object({ type: z.literal('handoff.accepted'), data: z.object({ handoff: z.string(), rep: z.string().optional() }) }),
  z.object({ type: z.literal('handoff.rejected'), data: z.object({ handoff: z.string(), rep: z.string().optional(), reason: z.string().optional() }) }),
  z.object({ type: z.literal('handoff.outcome'), data: z.object({ handoff: z.string(), outcome: z.string(), value: z.number().optional(), rep: z.string().optional() }) }),
]);

/** Tolerance for the signed timestamp: five minutes either way. */
export const TOLERANCE_SECONDS = 300;

/**
 * Webhooks in: a CRM logs what its users did back into Baton, signed as Standard Webhooks says with the
 * workspace's inbound secret; a timestamp more than five minutes off and a replayed id are refused.
 */
export function inboundRoutes(runtime: Runtime, store: Store, config: Configuration, guard: ReplayGuard): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const body = await c.req.text();
    const headers = { id: c.req.header('webhook-id'), timestamp: c.req.header('webhook-timestamp'), signature: c.req.header('webhook-signature') };
    const problem = verifyProblem(config.data.inboundSecret, headers, body, Math.floor(runtime.clock.now() / 1000), TOLERANCE_SECONDS);
    if (problem) throw httpError(401, 'signature_invalid', problem);
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      throw httpError(400, 'input_invalid', 'the body is not valid JSON');
    }
    const hook = parseInput(InboundWebhook, raw, 'inbound webhook');
    if (guard.has(headers.id!)) throw httpError(409, 'replayed', `webhook-id ${headers.id} was already received`);
    const h = (await store.openHandoffs()).find((x) => x.id === hook.data.handoff);
    if (!h) throw httpError(409, 'handoff_not_open', `handoff ${hook.data.handoff} is not open`);
    const ref = { userId: h.contactId, journey: h.journeyId, node: h.node, rep: hook.data.rep };
    if (hook.type === 'handoff.accepted') await runtime.accept(ref);
    else if (hook.type === 'handoff.rejected') await runtime.reject({ ...ref, reason: hook.data.reason });
    else await runtime.logOutcome({ ...ref, outcome: hook.data.outcome, value: hook.data.value });
    await guard.record(headers.id!);
    return c.json({ received: headers.id, handoff: h.id });
  });
  return app;
}
