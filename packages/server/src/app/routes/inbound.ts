import { Hono } from 'hono';
import { z } from 'zod';
import { BatonError, parseInput, type Applied, type Runtime, type Store } from '@baton/engine/internal';
import type { Configuration } from '../../server/configuration.ts';
import { verifyProblem } from '../../webhooks/signature.ts';
import type { ReplayGuard } from '../../webhooks/replayGuard.ts';
import { parseJsonText } from '../body.ts';
import { httpError } from '../errors.ts';

/**
 * What a CRM tells Baton: a handoff was accepted, rejected or closed with an outcome over there. Unknown
 * fields are refused (a misspelt `value` would otherwise be dropped in silence); `timestamp` is allowed
 * beside `type` and `data`, as Standard Webhooks' payload format has it.
 */
export const InboundWebhook = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('handoff.accepted'),
    timestamp: z.string().optional(),
    data: z.strictObject({ handoff: z.string(), rep: z.string().optional() }),
  }),
  z.strictObject({
    type: z.literal('handoff.rejected'),
    timestamp: z.string().optional(),
    data: z.strictObject({ handoff: z.string(), rep: z.string().optional(), reason: z.string().optional() }),
  }),
  z.strictObject({
    type: z.literal('handoff.outcome'),
    timestamp: z.string().optional(),
    data: z.strictObject({
      handoff: z.string(),
      outcome: z.string(),
      value: z.number().optional(),
      rep: z.string().optional(),
    }),
  }),
]);

export type InboundWebhook = z.infer<typeof InboundWebhook>;

/** Tolerance for the signed timestamp: five minutes either way. */
export const TOLERANCE_SECONDS = 300;

/** The store's idempotency key for a webhook: its own namespace, apart from Segment events' messageIds. */
const messageIdOf = (webhookId: string) => `inbound-webhook:${webhookId}`;

/**
 * Refusals that depend on where the handoff stands, so the same message might apply later (once it is
 * assigned, say, or accepted again after a reject): the message is used up. Anything else (malformed
 * input, a store that failed) changes nothing either way, or may rightly be sent again.
 */
const REFUSED = new Set([
  'handoff_not_open',
  'not_assigned',
  'not_assignee',
  'already_accepted',
  'outcome_not_declared',
]);

/** Does what a webhook asks to the open handoff it names, with the webhook's id as the commit's idempotency key. */
async function carryOut(
  runtime: Runtime,
  store: Store,
  hook: InboundWebhook,
  messageId: string,
): Promise<{ applied: Applied; handoff: string }> {
  const h = await store.handoff(hook.data.handoff); // the store's index, never a walk over open handoffs
  if (h?.status !== 'open') throw new BatonError('handoff_not_open', `handoff ${hook.data.handoff} is not open`);
  const ref = { handoff: h.id, rep: hook.data.rep, messageId };
  const applied =
    hook.type === 'handoff.accepted'
      ? await runtime.accept(ref)
      : hook.type === 'handoff.rejected'
        ? await runtime.reject({ ...ref, reason: hook.data.reason })
        : await runtime.logOutcome({ ...ref, outcome: hook.data.outcome, value: hook.data.value });
  return { applied, handoff: h.id };
}

/**
 * Webhooks in: a CRM logs what its users did back into Baton, signed as Standard Webhooks says with the
 * workspace's inbound secret; a timestamp more than five minutes off is refused, and each signed message
 * is acted on once. An applied one's id goes into the same commit as the change (the store refuses a
 * second commit with it atomically, so of two copies racing, one applies and the other is `replayed`); a
 * refused one's id is kept by the replay guard.
 */
export function inboundRoutes(runtime: Runtime, store: Store, config: Configuration, guard: ReplayGuard): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const body = await c.req.text();
    const headers = {
      id: c.req.header('webhook-id'),
      timestamp: c.req.header('webhook-timestamp'),
      signature: c.req.header('webhook-signature'),
    };
    const problem = verifyProblem(
      config.data.inboundSecret,
      headers,
      body,
      Math.floor(runtime.clock.now() / 1000),
      TOLERANCE_SECONDS,
    );
    if (problem) throw httpError(401, 'signature_invalid', problem);
    const id = headers.id!;
    const messageId = messageIdOf(id);
    const replayed = () => httpError(409, 'replayed', `webhook-id ${id} was already received`);
    if (guard.has(id) || (await store.hasMessage(messageId))) throw replayed();
    const hook = parseInput(InboundWebhook, parseJsonText(body), 'inbound webhook');
    let done: { applied: Applied; handoff: string };
    try {
      done = await carryOut(runtime, store, hook, messageId);
    } catch (err) {
      if (err instanceof BatonError && REFUSED.has(err.code)) await guard.record(id);
      throw err;
    }
    // A copy of this message committed first (the store refused this one's commit atomically).
    if (done.applied.status === 'duplicate') throw replayed();
    return c.json({ received: id, handoff: done.handoff });
  });
  return app;
}
