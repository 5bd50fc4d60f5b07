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
import { MAX_DEPTH, nestsDeeperThan, parseJsonText } from '../body.ts';
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

/**
 * Reads an intake body: capped as it streams in, decompressed with a cap, parsed, and the write key checked.
 * A batch's events are left for `applyCall` to check for nesting, one by one.
 */
async function readIntake(c: Context, writeKey: string, isBatch = false): Promise<Record<string, unknown>> {
  const header = requestHeader(c, 'authorization');
  const basic = basicUser(header) !== undefined;
  if (basic) checkWriteKey(header, undefined, writeKey); // refused before any decompression
  const body = parseJsonText(
    (await decodeBody(await readRequestBody(c), requestHeader(c, 'content-encoding'))).toString('utf8'),
    isBatch ? 'batch' : undefined,
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

/** Refuses a call heavier than SPEC §7 allows an event (measured as its JSON). */
function checkEventSize(raw: unknown, at: PropertyKey[]): void {
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (bytes > MAX_EVENT_BYTES) throw new EventTooLargeError(at, bytes);
}

/**
 * A Segment call as the event log keeps it (SPEC §10): with the instant it is kept at in UTC, and without
 * a write key it carried in its body (analytics.js puts it there; the export is no place for it). A call
 * that already reads so is kept as it is: a copy (a spread of every field of every call) was a twentieth of
 * a batch's CPU (issue #17). Nothing changes a call's values once it is parsed (a timeline shares its
 * short property strings in place: equal values, `heldEvent`).
 */
function recordedCall(received: number, instant: string | undefined, call: Record<string, unknown>): RecordedCall {
  const at = instant === undefined ? received : Date.parse(instant);
  const timestamp = instant !== undefined && instant.endsWith('Z') ? instant : new Date(at).toISOString();
  if (call.timestamp === timestamp && call.writeKey === undefined) return { at, call };
  const { writeKey: _key, ...kept } = call;
  return { at, call: { ...kept, timestamp } };
}

/**
 * Applies one Segment call, or says why it was skipped; throws for one that is malformed or too large.
 * With a `batch`, it resolves once the call is applied, and the batch waits for its durable write; an
 * event of a batch is checked there for its size and nesting (a single call's body was, as it was read).
 * `batchSentAt` reads the batch's `sentAt` when an event needs it (a malformed one refuses only those).
 */
async function applyCall(
  runtime: Runtime,
  raw: unknown,
  received: number,
  batchSentAt: (() => number | undefined) | undefined,
  at: PropertyKey[],
  batch?: WriteBatch,
): Promise<CallApplied> {
  if (batch !== undefined) {
    if (nestsDeeperThan(raw, MAX_DEPTH))
      throw new InputInvalidError(
        [{ path: formatPath(at), node: null, message: `nests deeper than ${MAX_DEPTH} levels` }],
        'event',
      );
    checkEventSize(raw, at);
  }
  if (isObject(raw)) {
    // null is no timestamp, as it is no userId (analytics.js sends nulls for what it does not know).
    if (raw.timestamp === null) delete raw.timestamp;
    // RudderStack's JavaScript SDK sends an anonymous visitor's calls with `"userId": ""`: no userId.
    if (raw.userId === '' && raw.anonymousId !== undefined && raw.anonymousId !== null && raw.anonymousId !== '')
      delete raw.userId;
  }
  const timestamp = eventTimestamp(raw, received, batchSentAt, at);
  // The instant it happened, set on the call (a request's own parse, as a copy would have it: an absent
  // field last, a null one in its place).
  if (timestamp !== undefined) (raw as Record<string, unknown>).timestamp = timestamp;
  const call = segmentCall(raw, at);
  if ('skipped' in call && !('type' in call)) return { status: 'skipped', reason: call.skipped };
  if (isLink(call)) {
    // Its timestamp is checked as a track's is (before anything changes): the kept call says when it linked.
    const sent = instantAt(raw as Record<string, unknown>, 'timestamp', at);
    const messageId = (raw as { messageId?: unknown }).messageId;
    const { userId, anonymousId } = call.link;
    const { status } = await runtime.identity(
      userId,
      anonymousId,
      typeof messageId === 'string' ? messageId : undefined,
      batch,
    );
    if (status !== 'applied') return { status };
    // Kept for backtests (SPEC §10) as applied: an alias as the Segment alias call it was (its ids as read,
    // so a backtest links the same profiles), a group call as it came; each with its instant.
    // (A timestamp worked out from originalTimestamp is on the call by now, as one it was sent with.)
    const instant = sent === undefined ? undefined : String((raw as { timestamp: unknown }).timestamp);
    return {
      status,
      recorded: recordedCall(
        received,
        instant,
        (raw as { type?: unknown }).type === 'alias'
          ? {
              type: 'alias',
              previousId: anonymousId,
              userId,
              ...(typeof messageId === 'string' ? { messageId } : {}),
            }
          : (raw as Record<string, unknown>),
      ),
    };
  }
  const { status } = await runtime.ingestEvent(call, batch);
  if (status !== 'applied') return { status };
  // Kept as applied: a page call as its track event.
  return { status, recorded: recordedCall(received, call.timestamp, call) };
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
    if ((typeof userId === 'string' && userId !== '') || typeof userId === 'number') keys.push(`u:${String(userId)}`);
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
      try {
        checkEventSize(body, []); // as it was sent
        // The body is this request's own parse: the route's type is set on it, where a copy (`{ ...body, type }`,
        // the same fields in the same order) copied every field of every call (issue #17).
        body.type = type;
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
    const body = await readIntake(c, writeKey(), true);
    const { batch: events } = parseInput(SegmentBatch, body, 'batch');
    const received = runtime.clock.now();
    // Read when an event needs it: a malformed one refuses those events, not the others.
    let sentAtRead: { at: number | undefined } | undefined;
    const sentAt = () => (sentAtRead ??= { at: instantAt(body, 'sentAt', []) }).at;
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
