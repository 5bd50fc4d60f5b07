import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  byDueThenAge,
  formatInstant,
  handoffRecordView,
  type HandoffKey,
  type HandoffQuery,
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

/** The most handoffs a page of the list holds, and what it holds unless `limit` says fewer. */
export const PAGE_MAX = 1000;

/** A query parameter that takes one of a few words, or undefined when absent; any other is a 400 naming it. */
function oneOf<T extends string>(c: Context, name: string, words: readonly T[]): T | undefined {
  const value = c.req.query(name);
  if (value === undefined || value === '') return undefined;
  if (!(words as readonly string[]).includes(value))
    throw httpError(400, 'input_invalid', `${name} must be one of ${words.join(', ')}, got "${value}"`);
  return value as T;
}

/** `limit`: how many handoffs a page holds, 1 to PAGE_MAX (the default). */
function pageLimit(c: Context): number {
  const value = c.req.query('limit');
  if (value === undefined || value === '') return PAGE_MAX;
  const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= PAGE_MAX))
    throw httpError(400, 'input_invalid', `limit must be a whole number from 1 to ${PAGE_MAX}, got "${value}"`);
  return n;
}

/** Where a page ends, as the next request's `after`: the last handoff's place in the list, opaque to clients. */
function pageMark(h: HandoffKey): string {
  return Buffer.from(JSON.stringify([h.dueAt, h.createdAt, h.id])).toString('base64url');
}

/** `after`: the `next` of the page before, read back; anything else is a 400 naming it. */
function pageAfter(c: Context): HandoffKey | undefined {
  const value = c.req.query('after');
  if (value === undefined || value === '') return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const instant = (x: unknown): x is number => Number.isSafeInteger(x);
  if (
    !Array.isArray(key) ||
    key.length !== 3 ||
    !(key[0] === null || instant(key[0])) ||
    !instant(key[1]) ||
    typeof key[2] !== 'string' ||
    key[2].includes('\u0000') // (no stored id holds one, and PostgreSQL text cannot)
  )
    throw httpError(
      400,
      'input_invalid',
      `after must be the "next" of the page before, as it was given, got "${value}"`,
    );
  return { dueAt: key[0], createdAt: key[1], id: key[2] };
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
    const { queue, journey } = c.req.query();
    const p = principal(c);
    // `unassigned=true`: the work waiting for a rep (a rep id is any string, so it is a flag of its own).
    const unassigned = oneOf(c, 'unassigned', ['true', 'false']) === 'true';
    if (unassigned && c.req.query('assignee'))
      throw httpError(400, 'input_invalid', 'give assignee or unassigned=true, not both');
    const assignee = unassigned ? null : c.req.query('assignee') || undefined;
    const mine = oneOf(c, 'mine', ['true', 'false']) === 'true';
    const status = oneOf(c, 'status', ['open', 'closed', 'all']) ?? 'open';
    const breached = oneOf(c, 'breached', ['true', 'false']);
    const limit = pageLimit(c);
    const after = pageAfter(c);
    // To a rep, another rep's handoffs do not exist: not even a page mark that would name one.
    if (!mine && p.role === 'rep' && typeof assignee === 'string' && assignee !== p.rep)
      return c.json({ handoffs: [], next: null });
    // Indexed queries in every store, never a walk over the contacts; one more than the page, to know
    // whether a page follows.
    const query: HandoffQuery = {
      status: status === 'all' ? undefined : status,
      ...(assignee !== undefined ? { assignee } : {}),
      ...(queue ? { queue } : {}),
      ...(journey ? { journey } : {}),
      ...(breached !== undefined ? { breached: breached === 'true' } : {}),
      after,
      limit: limit + 1,
    };
    let list: HandoffRecord[];
    if (mine) list = await store.handoffs({ ...query, assignee: p.rep ?? null });
    else if (p.role === 'rep' && (query.assignee === undefined || query.assignee === null)) {
      // A rep sees their own and the unassigned work of their queues: each list's page, merged.
      const own = query.assignee === null ? [] : await store.handoffs({ ...query, assignee: p.rep! });
      const queues = [...queuesOf(runtime.team, p.rep!)].filter((q) => query.queue === undefined || q === query.queue);
      const waiting = (
        await Promise.all(queues.map((q) => store.handoffs({ ...query, queue: q, assignee: null })))
      ).flat();
      list = [...own, ...waiting].sort(byDueThenAge).slice(0, limit + 1);
    } else list = await store.handoffs(query);
    // (Every handoff listed is one the caller may see: a rep's lists are theirs and their queues'.)
    const page = list.length > limit ? list.slice(0, limit) : list;
    return c.json({
      handoffs: page.filter((h) => canSee(p, h, runtime.team)).map(handoffView),
      next: list.length > limit ? pageMark(page.at(-1)!) : null,
    });
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
