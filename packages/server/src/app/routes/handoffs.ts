import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  byDueThenAge,
  formatInstant,
  handoffRecordView,
  type HandoffRecord,
  type Runtime,
  type Store,
  type Team,
} from '@baton/engine/internal';
import { allow, principal, type ApiEnv, type Principal } from '../auth.ts';
import { parseBody } from '../body.ts';
import { httpError } from '../errors.ts';
import type { HandoffView } from '../responses.ts';

/** The rep acting: a rep token may only name its own rep; an admin may name any (or none). */
const ActingRep = z.string().min(1).optional();

/** Accepting a handoff (the body may be empty). */
export const AcceptRequest = z.strictObject({ rep: ActingRep });
/** Rejecting a handoff, with the reason the next rep sees. */
export const RejectRequest = z.strictObject({ rep: ActingRep, reason: z.string().max(2000).optional() });
/** Logging an outcome; the outcome may come in the query (`?outcome=`, as the handoff's links do) instead. */
export const OutcomeRequest = z.strictObject({
  rep: ActingRep,
  outcome: z.string().min(1).optional(),
  value: z.number().optional(),
});
const SAY_WHO = 'say who takes it over: { "rep": "REP_ID" }';
/** Giving a handoff to another rep (admins). */
export const ReassignRequest = z.strictObject({ rep: z.string({ error: SAY_WHO }).min(1, SAY_WHO) });

/** Everything the rep sees about a handoff, with where to act on it. */
export function handoffView(h: HandoffRecord): z.infer<typeof HandoffView> {
  return {
    ...handoffRecordView(h),
    // Named again so the answer's type is the schema's (the engine's view types these loosely).
    createdAt: formatInstant(h.createdAt),
    rejectedBy: h.rejectedBy.map((r) => ({ rep: r.rep, reason: r.reason, at: formatInstant(r.at) })),
    trace: h.trace,
    why: h.why,
    links: {
      self: `/api/handoffs/${h.id}`,
      // A contact id is any string (an email, `a/b c?d`): escaped to stay one path segment.
      contact: `/api/contacts/${encodeURIComponent(h.contactId)}`,
      accept: `/api/handoffs/${h.id}/accept`,
      reject: `/api/handoffs/${h.id}/reject`,
      outcomes: Object.fromEntries(
        h.outcomes.map((o) => [o, `/api/handoffs/${h.id}/outcome?outcome=${encodeURIComponent(o)}`]),
      ),
    },
  };
}

/** The queues a rep belongs to. */
export const queuesOf = (team: Team | undefined, rep: string) =>
  new Set((team?.queues ?? []).filter((q) => q.members.includes(rep)).map((q) => q.id));

/**
 * Whether a caller may see a handoff: admins and marketers see all; a rep sees their own and the
 * unassigned work of their queues. To a rep, anyone else's handoff does not exist (404).
 */
export function canSee(p: Principal, h: HandoffRecord, team: Team | undefined): boolean {
  if (p.role !== 'rep') return true;
  if (h.assignee === p.rep) return true;
  return h.assignee === null && h.queue !== null && queuesOf(team, p.rep!).has(h.queue);
}

/** The rep acting: a rep token acts as its rep (and may not act as another); an admin may name one. */
function actingRep(p: Principal, body: { rep?: string | undefined }): string | undefined {
  if (p.role === 'rep') {
    if (body.rep !== undefined && body.rep !== p.rep)
      throw httpError(403, 'forbidden', `a token of rep ${p.rep} cannot act as ${body.rep}`);
    return p.rep;
  }
  return body.rep;
}

/**
 * Handoffs: list with filters, the full record, and the human's actions (accept, reject, outcome, claim),
 * plus reassign for admins. Marketers read but do not act.
 */
export function handoffRoutes(runtime: Runtime, store: Store): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const lookup = (id: string) => store.handoff(id);
  const find = async (c: Context<ApiEnv>, id: string): Promise<HandoffRecord> => {
    const h = await lookup(id);
    if (!h || !canSee(principal(c), h, runtime.team)) throw httpError(404, 'not_found', `no handoff ${id}`);
    return h;
  };
  const ref = (h: HandoffRecord, rep: string | undefined) => ({
    userId: h.contactId,
    journey: h.journeyId,
    node: h.node,
    ...(rep ? { rep } : {}),
  });
  // After an action the caller sees where the handoff went, even when it left their hands (a reject).
  const reply = async (c: Context<ApiEnv>, id: string) => c.json(handoffView((await lookup(id))!));

  app.get('/', async (c) => {
    const { status, assignee, queue, breached, mine, journey } = c.req.query();
    const p = principal(c);
    // Indexed queries in every store, never a walk over the contacts.
    const query = {
      status:
        status === 'open' || status === undefined
          ? ('open' as const)
          : status === 'closed'
            ? ('closed' as const)
            : undefined,
      ...(assignee ? { assignee } : {}),
      ...(queue ? { queue } : {}),
      ...(journey ? { journey } : {}),
      ...(breached !== undefined ? { breached: breached === 'true' } : {}),
    };
    let list: HandoffRecord[];
    if (mine === 'true') list = await store.handoffs({ ...query, assignee: p.rep ?? null });
    else if (p.role === 'rep' && query.assignee === undefined) {
      // A rep sees their own and the unassigned work of their queues.
      const own = await store.handoffs({ ...query, assignee: p.rep! });
      const queues = [...queuesOf(runtime.team, p.rep!)].filter((q) => query.queue === undefined || q === query.queue);
      const waiting = (
        await Promise.all(queues.map((q) => store.handoffs({ ...query, queue: q, assignee: null })))
      ).flat();
      list = [...own, ...waiting].sort(byDueThenAge);
    } else list = (await store.handoffs(query)).filter((h) => canSee(p, h, runtime.team));
    return c.json({ handoffs: list.map(handoffView) });
  });
  app.get('/:id', async (c) => c.json(handoffView(await find(c, c.req.param('id')))));

  const workers = allow('admin', 'rep');
  app.post('/:id/accept', workers, async (c) => {
    const h = await find(c, c.req.param('id'));
    await runtime.accept(
      ref(h, actingRep(principal(c), await parseBody(c, AcceptRequest, 'accept', { optional: true }))),
    );
    return reply(c, h.id);
  });
  app.post('/:id/reject', workers, async (c) => {
    const h = await find(c, c.req.param('id'));
    const body = await parseBody(c, RejectRequest, 'reject', { optional: true });
    await runtime.reject({ ...ref(h, actingRep(principal(c), body)), reason: body.reason });
    return reply(c, h.id);
  });
  app.post('/:id/outcome', workers, async (c) => {
    const h = await find(c, c.req.param('id'));
    const body = await parseBody(c, OutcomeRequest, 'outcome', { optional: true });
    const outcome = body.outcome ?? c.req.query('outcome');
    if (!outcome) throw httpError(400, 'input_invalid', `say which outcome: one of ${h.outcomes.join(', ')}`);
    await runtime.logOutcome({ ...ref(h, actingRep(principal(c), body)), outcome, value: body.value });
    return reply(c, h.id);
  });
  // A rep takes unassigned work from one of their queues.
  app.post('/:id/claim', allow('rep'), async (c) => {
    const h = await find(c, c.req.param('id'));
    const p = principal(c);
    if (h.assignee !== null)
      throw httpError(
        409,
        'conflict',
        `handoff ${h.id} is already assigned to ${h.assignee === p.rep ? 'you' : 'someone else'}`,
      );
    // (The check above answers at once; the claim itself is refused in the step if someone took it since.)
    await runtime.reassign({ ...ref(h, undefined), to: p.rep!, by: p.rep!, claim: true });
    return reply(c, h.id);
  });
  app.post('/:id/reassign', allow('admin'), async (c) => {
    const h = await find(c, c.req.param('id'));
    const body = await parseBody(c, ReassignRequest, 'reassign', { optional: true });
    await runtime.reassign({ ...ref(h, undefined), to: body.rep, by: principal(c).name });
    return reply(c, h.id);
  });
  return app;
}
