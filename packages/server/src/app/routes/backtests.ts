import { Hono } from 'hono';
import { z } from 'zod';
import {
  draftSummary,
  liveSummary,
  Instant,
  JsonObject,
  fitRepModel,
  formatInstant,
  own,
  parseInstant,
  simulateEvents,
  type Store,
} from '@baton/engine/internal';
import type { Configuration } from '../../server/configuration.ts';
import type { EventLog } from '../../stores/eventLog.ts';
import { allow, type ApiEnv } from '../auth.ts';
import { parseBody } from '../body.ts';
import { httpError } from '../errors.ts';
import { liveRoutingAt } from './repModel.ts';

/** A backtest: a journey (default: the draft) over the events accepted in `[from, to)`. */
export const BacktestRequest = z.strictObject({
  journey: JsonObject.optional(),
  from: Instant,
  to: Instant,
  seed: z.number().int().default(1),
  /** Whether reps act as the model fitted to the period's handoffs says (default), or never. */
  reps: z.enum(['fitted', 'none']).default('fitted'),
});

/** Each contact of the period with the traits it had when the period began: earlier identify calls in the log, else its stored traits. */
async function traitsAtStart(log: EventLog, store: Store, from: number, userIds: Iterable<string>) {
  const earlier = new Map<string, Record<string, unknown>>();
  for (const { call } of await log.read(null, from)) {
    if (call.type !== 'identify' || typeof call.userId !== 'string') continue;
    earlier.set(call.userId, { ...(earlier.get(call.userId) ?? {}), ...(call.traits as Record<string, unknown>) });
  }
  const contacts: { id: string; traits: Record<string, unknown> }[] = [];
  for (const id of userIds) {
    const traits = earlier.get(id) ?? (await store.load(id))?.contact.traits;
    if (traits !== undefined) contacts.push({ id, traits });
  }
  return contacts;
}

/**
 * `POST /api/journeys/:id/backtest` (SPEC §10): replays the events kept for the period through the draft
 * on a virtual clock, side effect free, reps acting as fitted to the period's handoffs, queues going on from
 * live's cursors at the period's start, beside what the
 * live journey did over the same period (the closed-loop report of its handoffs created then).
 */
export function backtestRoutes(
  config: Configuration,
  store: Store,
  log: EventLog,
  now: () => number = Date.now,
): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/:id/backtest', allow('admin', 'marketer'), async (c) => {
    const id = c.req.param('id');
    const body = await parseBody(c, BacktestRequest, 'backtest');
    const journey = body.journey ?? config.draft(id)?.definition ?? config.latest(id)?.definition;
    if (journey === undefined) throw httpError(404, 'not_found', `no journey ${id}`);
    if (own(journey as Record<string, unknown>, 'id') !== id)
      throw httpError(400, 'input_invalid', `$.journey.id must be "${id}", the journey being backtested`);
    const from = parseInstant(body.from);
    const to = parseInstant(body.to);
    if (to <= from) throw httpError(400, 'input_invalid', `$.to must be after $.from`);
    const events = (await log.read(from, to)).map((r) => r.call);
    const userIds = new Set(events.flatMap((e) => (typeof e.userId === 'string' ? [e.userId] : [])));
    const handoffs = await store.handoffs({});
    const reps = body.reps === 'fitted' ? fitRepModel(handoffs, from, to) : undefined;
    const draft = await simulateEvents({
      journeys: [journey],
      team: config.data.team,
      workspace: config.data.workspace,
      events,
      seed: body.seed,
      start: body.from,
      contacts: await traitsAtStart(log, store, from, userIds),
      // Queues go on where live's were when the period began, whether or not reps act.
      routing: await liveRoutingAt(store, config.data.team, from),
      ...(reps ? { reps } : {}),
      // Beside live, which has played out nothing after now: waits and SLAs run on only up to now.
      until: formatInstant(now()),
    });
    const live = await store.report({ from, to, journey: id });
    // Side by side in the same terms (SPEC §10): entries, path counts, handoffs per rep per day,
    // breaches and outcomes. Live's entries are its runs that entered the live version's start.
    const start = own((config.latest(id)?.definition ?? journey) as Record<string, unknown>, 'start');
    const compare = {
      draft: draftSummary(draft, id, { from, to }),
      live: liveSummary(live, handoffs, id, typeof start === 'string' ? start : '', from, to),
    };
    return c.json({ draft, live, reps: reps ?? null, compare });
  });
  return app;
}
