import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  BatonError,
  InputInvalidError,
  formatPath,
  isObject,
  parseInput,
  type Runtime,
  type WriteBatch,
} from '@baton/engine/internal';
import { basicUser, checkWriteKey } from '../auth.ts';
import { parseJsonText } from '../body.ts';
import { requestHeader } from '../nodeHttp.ts';
import { httpError } from '../errors.ts';
import { answerIntake, type ObservedEnv } from '../observe.ts';
import { MAX_EVENT_BYTES, decodeBody, readRequestBody } from '../intake/decode.ts';
import { eventTimestamp, instantAt } from '../intake/eventTime.ts';
import { SEGMENT_TYPES, SHORT_FORMS, isLink, segmentCall } from '../segment.ts';
import type { EventLog, RecordedCall } from '../../stores/eventLog.ts';

/**
 * A batch as Segment's libraries send it. The envelope stays open, as Segment's calls do (SPEC §7: other
 * Segment fields are accepted and ignored): analytics.js and analytics-node add `sentAt`, `context`,
 * `writeKey`, and refusing them would refuse real sources. `batch` and `sentAt` are read.
 */
export const SegmentBatch = z.looseObject({
  batch: z.array(z.unknown(), { error: 'a batch body is { "batch": [ events ] }' }),
});

/** One event of a batch that was refused, and why (SPEC §7). */
export const RejectedEvent = z.object({ index: z.number().int(), error: z.string() });

/** What a single call did: applied, a duplicate of an applied messageId, or skipped (with the reason). */
export const CallResult = z.object({
  success: z.literal(true),
  status: z.enum(['applied', 'duplicate', 'skipped']),
  reason: z.string().optional(),
});

/** What a batch did: counts, and every event refused with its index and the reason. */
export const BatchResult = z.object({
  success: z.literal(true),
  applied: z.number().int(),
  duplicates: z.number().int(),
  skipped: z.number().int(),
  rejected: z.array(RejectedEvent),
});

/** An event heavier than SPEC §7 allows: alone it is a 413, in a batch it is listed as rejected. */
class EventTooLargeError extends BatonError {
  constructor(at: PropertyKey[], bytes: number) {
    super(
      'too_large',
      // In bytes: "32.0 KB" of an event a few bytes over the limit read as within it.
      `${formatPath(at)} is ${bytes} bytes of JSON; an event may be at most ${MAX_EVENT_BYTES} bytes (${MAX_EVENT_BYTES / 1024} KB)`,
    );
  }
}

/** Reads an intake body: capped as it streams in, decompressed with a cap, parsed, and the write key checked. */
async function readIntake(c: Context, writeKey: string): Promise<Record<string, unknown>> {
  const header = requestHeader(c, 'authorization');
  const basic = basicUser(header) !== undefined;
  if (basic) checkWriteKey(header, undefined, writeKey); // refused before any decompression
  const body = parseJsonText(
    (await decodeBody(await readRequestBody(c), requestHeader(c, 'content-encoding'))).toString('utf8'),
  );
  if (!basic) checkWriteKey(header, body, writeKey); // analytics.js sends it in the body
  if (!isObject(body)) throw httpError(400, 'input_invalid', 'the body must be a JSON object');
  return body;
}

/** What applying a call did, and the copy the event log keeps of it (SPEC §10) when it was applied. */
interface CallApplied {
  status: 'applied' | 'duplicate' | 'skipped';
  reason?: string;
  recorded?: RecordedCall;
}

/**
 * Applies one Segment call, or says why it was skipped; throws for one that is malformed or too large.
 * With a `batch`, it resolves once the call is applied, and the batch waits for its durable write.
 */
async function applyCall(
  runtime: Runtime,
  raw: unknown,
  received: number,
  batchSentAt: number | undefined,
  at: PropertyKey[],
  batch?: WriteBatch,
): Promise<CallApplied> {
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (bytes > MAX_EVENT_BYTES) throw new EventTooLargeError(at, bytes);
  const timestamp = eventTimestamp(raw, received, batchSentAt, at);
  // The instant it happened, set on the call (a request's own parse, as a copy would have it: an absent
  // field last, a null one in its place).
  if (timestamp !== undefined) (raw as Record<string, unknown>).timestamp = timestamp;
  const call = segmentCall(raw, at);
  if ('skipped' in call && !('type' in call)) return { status: 'skipped', reason: call.skipped };
  // Kept for backtests (SPEC §10) as applied: a page call as its track event, an alias as the Segment
  // alias call it was (its ids as read, so a backtest links the same profiles), each with its instant.
  // A call that carries the instant it is kept with is kept as it is: a copy (a spread of every field of
  // every call) was a twentieth of a batch's CPU (issue #17). Nothing changes a call's values once it is
  // parsed (a timeline shares its short property strings in place: equal values, `heldEvent`).
  const recorded = (instant: string | undefined, kept: Record<string, unknown>): RecordedCall => ({
    at: instant === undefined ? received : Date.parse(instant),
    call:
      instant !== undefined && kept.timestamp === instant
        ? kept
        : { ...kept, timestamp: instant ?? new Date(received).toISOString() },
  });
  if (isLink(call)) {
    // Its timestamp is checked as a track's is (before anything changes): the kept alias says when it linked.
    const sent = instantAt(raw as Record<string, unknown>, 'timestamp', at);
    await runtime.link(call.link.anonymousId, call.link.userId, runtime.clock.now(), batch);
    const messageId = (raw as { messageId?: unknown }).messageId;
    return {
      status: 'applied',
      // (A timestamp worked out from originalTimestamp is on the call by now, as one it was sent with.)
      recorded: recorded(sent === undefined ? undefined : String((raw as { timestamp: unknown }).timestamp), {
        type: 'alias',
        previousId: call.link.anonymousId,
        userId: call.link.userId,
        ...(typeof messageId === 'string' ? { messageId } : {}),
      }),
    };
  }
  const { status } = await runtime.ingestEvent(call, batch);
  if (status !== 'applied') return { status };
  return { status, recorded: recorded(call.timestamp, call) };
}

/**
 * Hands applied events to the event log without waiting for it: the log is a copy for backtests, read
 * after its pending writes. A failed append (the database dropped the connection) costs the backtest
 * those events, never the sender an error for events that were applied.
 */
function keep(log: EventLog | undefined, records: RecordedCall[]): void {
  if (log && records.length > 0) log.append(records).catch(() => undefined);
}

/**
 * A batch's events grouped by the contacts they touch, each group in batch order: events that share a
 * userId or an anonymousId, or link the two, are one group (a merge must see the anonymous events sent
 * before it). An event naming neither is a group of its own.
 */
export function contactGroups(events: readonly unknown[]): number[][] {
  const parent = new Map<string, string>();
  const root = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  const keysOf = (e: unknown): string[] => {
    const keys: string[] = [];
    if (!isObject(e)) return keys;
    const { userId, anonymousId } = e;
    if (typeof userId === 'string' || typeof userId === 'number') keys.push(`u:${String(userId)}`);
    if (typeof anonymousId === 'string' || typeof anonymousId === 'number') keys.push(`a:${String(anonymousId)}`);
    return keys;
  };
  const keyed = events.map(keysOf);
  for (const keys of keyed) {
    for (const k of keys) if (!parent.has(k)) parent.set(k, k);
    if (keys.length === 2) parent.set(root(keys[1]!), root(keys[0]!));
  }
  const groups = new Map<string, number[]>();
  events.forEach((_, i) => {
    const keys = keyed[i]!;
    const key = keys.length > 0 ? root(keys[0]!) : `#${i}`;
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

/** What a refused event's entry says: every problem with its path. */
const reasonOf = (err: BatonError) =>
  err instanceof InputInvalidError ? err.errors.map((e) => `${e.path} ${e.message}`).join('; ') : err.message;

/** Whether an error refuses one event (and not the request, or the server). */
const refusesEvent = (err: unknown): err is BatonError =>
  err instanceof InputInvalidError || err instanceof EventTooLargeError;

/**
 * Segment-compatible intake (SPEC §7): /v1/track, identify, page, screen, group, alias and batch, and
 * analytics.js's short forms /v1/t, i, p, s, g, a and b. A batch applies every valid event and answers
 * 200 with the ones refused; calls that cannot move a journey are answered `"status": "skipped"`.
 */
export function eventRoutes(runtime: Runtime, writeKey: () => string, log?: EventLog): Hono<ObservedEnv> {
  const app = new Hono<ObservedEnv>();
  const single =
    (type: string) =>
    async (c: Context<ObservedEnv>): Promise<Response> => {
      const body = await readIntake(c, writeKey());
      // The body is this request's own parse: the route's type is set on it, where a copy (`{ ...body, type }`,
      // the same fields in the same order) copied every field of every call (issue #17).
      body.type = type;
      try {
        const applied = await applyCall(runtime, body, runtime.clock.now(), undefined, []);
        if (applied.recorded) keep(log, [applied.recorded]);
        return answerIntake(
          c,
          applied.reason === undefined
            ? { success: true, status: applied.status }
            : { success: true, status: applied.status, reason: applied.reason },
        );
      } catch (err) {
        if (err instanceof EventTooLargeError) throw httpError(413, 'too_large', err.message);
        throw err;
      }
    };
  const batch = async (c: Context<ObservedEnv>): Promise<Response> => {
    const body = await readIntake(c, writeKey());
    const { batch: events } = parseInput(SegmentBatch, body, 'batch');
    const received = runtime.clock.now();
    const sentAt = instantAt(body, 'sentAt', []);
    const result: z.infer<typeof BatchResult> = { success: true, applied: 0, duplicates: 0, skipped: 0, rejected: [] };
    // The events of one contact (its userId and anonymousId taken together) in batch order; different
    // contacts at once. Each is applied without waiting for the disk, and the batch is acknowledged after
    // the durable write that carries them all (one fsync on lowdb; PostgreSQL commits as they come).
    const writes = runtime.writeBatch();
    const recorded: RecordedCall[] = [];
    await Promise.all(
      contactGroups(events).map(async (group) => {
        for (const index of group) {
          try {
            const call = await applyCall(runtime, events[index], received, sentAt, ['batch', index], writes);
            const { status } = call;
            if (call.recorded) recorded.push(call.recorded);
            if (status === 'applied') result.applied++;
            else if (status === 'duplicate') result.duplicates++;
            else result.skipped++;
          } catch (err) {
            if (!refusesEvent(err)) throw err;
            result.rejected.push({ index, error: reasonOf(err) });
          }
        }
      }),
    );
    await writes.durable();
    keep(log, recorded);
    result.rejected.sort((a, b) => a.index - b.index);
    return answerIntake(c, result);
  };
  for (const type of SEGMENT_TYPES) app.post(`/${type}`, single(type));
  app.post('/batch', batch);
  for (const [short, type] of Object.entries(SHORT_FORMS))
    app.post(`/${short}`, type === 'batch' ? batch : single(type));
  return app;
}
