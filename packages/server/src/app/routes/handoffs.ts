import { Hono, type Context } from 'hono';
import { readJsonBody } from '../body.ts';
import { formatInstant, reportHandoff, type HandoffRecord, type Runtime, type Store } from '@baton/engine';
import { httpError } from '../errors.ts';

/** Everything the rep sees about a handoff: the §8 fields, the context, and where to act on it. */
export function handoffView(h: HandoffRecord) {
  return {
    ...reportHandoff(h),
    contactId: h.contactId,
    journey: h.journeyId,
    team: h.team,
    status: h.status,
    outcomes: h.outcomes,
    value: h.value,
    context: { ...h.context, timeline: h.context.timeline.map((e) => ({ name: e.name, at: formatInstant(e.at), properties: e.properties })) },
    links: {
      self: `/api/handoffs/${h.id}`,
      accept: `/api/handoffs/${h.id}/accept`,
      reject: `/api/handoffs/${h.id}/reject`,
      outcomes: Object.fromEntries(h.outcomes.map((o) => [o, `/api/handoffs/${h.id}/outcome?outcome=${encodeURIComponent(o)}`])),
    },
  };
}

async function allHandoffs(store: Store): Promise<HandoffRecord[]> {
  const states = await Promise.all((await store.contactIds()).map((id) => store.load(id)));
  return states.flatMap((s) => s?.handoffs ?? []).sort((a, b) => a.createdAt - b.createdAt);
}

async function find(store: Store, id: string): Promise<HandoffRecord> {
  const h = (await store.openHandoffs()).find((x) => x.id === id) ?? (await allHandoffs(store)).find((x) => x.id === id);
  if (!h) throw httpError(404, 'not_found', `no handoff ${id}`);
  return h;
}

async function options(c: Context): Promise<Record<string, unknown>> {
  const body = await readJsonBody(c, { optional: true });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw httpError(400, 'input_invalid', 'the body must be a JSON object such as { "outcome": "won" }');
  return body as Record<string, unknown>;
}

/** Handoffs: list with filters, the full record, and the rep's actions (accept, reject, outcome). */
export function handoffRoutes(runtime: Runtime, store: Store): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const { status, assignee, queue, breached } = c.req.query();
    let list = status === 'open' || status === undefined ? await store.openHandoffs() : await allHandoffs(store);
    if (status === 'closed') list = list.filter((h) => h.status === 'closed');
    if (assignee) list = list.filter((h) => h.assignee === assignee);
    if (queue) list = list.filter((h) => h.queue === queue);
    if (breached !== undefined) list = list.filter((h) => h.breached === (breached === 'true'));
    list.sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.createdAt - b.createdAt);
    return c.json({ handoffs: list.map(handoffView) });
  });
  app.get('/:id', async (c) => c.json(handoffView(await find(store, c.req.param('id')))));
  const ref = (h: HandoffRecord, rep: unknown) => ({ userId: h.contactId, journey: h.journeyId, node: h.node, ...(typeof rep === 'string' ? { rep } : {}) });
  app.post('/:id/accept', async (c) => {
    const h = await find(store, c.req.param('id'));
    const body = await options(c);
    await runtime.accept(ref(h, body.rep));
    return c.json(handoffView(await find(store, h.id)));
  });
  app.post('/:id/reject', async (c) => {
    const h = await find(store, c.req.param('id'));
    const body = await options(c);
    await runtime.reject({ ...ref(h, body.rep), reason: typeof body.reason === 'string' ? body.reason : undefined });
    return c.json(handoffView(await find(store, h.id)));
  });
  app.post('/:id/outcome', async (c) => {
    const h = await find(store, c.req.param('id'));
    const body = await options(c);
    const outcome = typeof body.outcome === 'string' ? body.outcome : c.req.query('outcome');
    if (!outcome) throw httpError(400, 'input_invalid', `say which outcome: one of ${h.outcomes.join(', ')}`);
    await runtime.logOutcome({ ...ref(h, body.rep), outcome, value: typeof body.value === 'number' ? body.value : undefined });
    return c.json(handoffView(await find(store, h.id)));
  });
  return app;
}
