import { Hono } from 'hono';
import { allScores, eventsOf, formatInstant, scoreInput, type Runtime, type Store } from '@baton/engine/internal';
import { principal, type ApiEnv } from '../auth.ts';
import type { z } from 'zod';
import { httpError } from '../errors.ts';
import type { ContactView } from '../responses.ts';
import { canSee, handoffView } from './handoffs.ts';

/** Contacts: profile, scores, timeline, journeys and handoffs. A rep sees only contacts of handoffs they can see. */
export function contactRoutes(runtime: Runtime, store: Store): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/:id', async (c) => {
    const state = await store.load(c.req.param('id'));
    const p = principal(c);
    if (!state || (p.role === 'rep' && !state.handoffs.some((h) => canSee(p, h, runtime.team))))
      throw httpError(404, 'not_found', `no contact ${c.req.param('id')}`);
    const { contact } = state;
    const view: z.infer<typeof ContactView> = {
      id: contact.id,
      anonymous: contact.anonymous === true,
      linkedTo: contact.linkedTo ?? null,
      traits: contact.traits,
      scores: allScores(runtime.workspace, scoreInput(contact, runtime.clock.now())),
      timeline: eventsOf(contact).map((e) => ({ name: e.name, at: formatInstant(e.at), properties: e.properties })),
      journeys: state.instances.map((i) => ({
        journey: i.journeyId,
        version: i.version,
        status: i.status,
        node: i.node,
        path: i.path,
        outcome: i.outcome,
        runs: i.run,
      })),
      handoffs: state.handoffs.filter((h) => canSee(p, h, runtime.team)).map(handoffView),
    };
    return c.json(view);
  });
  return app;
}
