import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { JsonObject, type Runtime } from '@baton/engine';
import { writeKeyAuth } from '../auth.ts';
import { parseBody } from '../body.ts';
import { httpError } from '../errors.ts';
import { SEGMENT_TYPES, segmentCall } from '../segment.ts';

const LIMIT = 512 * 1024;

/**
 * A batch as Segment's libraries send it. The envelope stays open, as Segment's calls do (SPEC §7: other
 * Segment fields are accepted and ignored): analytics.js and analytics-node add `sentAt`, `context`,
 * `writeKey`, and refusing them would refuse real sources. Only `batch` is read.
 */
export const SegmentBatch = z.looseObject({ batch: z.array(z.unknown(), { error: 'a batch body is { "batch": [ events ] }' }) });

/**
 * Segment-compatible intake: /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias and
 * /v1/batch (all or nothing). Calls that cannot move a journey are answered `"status": "skipped"`.
 */
export function eventRoutes(runtime: Runtime, writeKey: string): Hono {
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: LIMIT, onError: () => { throw httpError(413, 'too_large', `a request body may be at most ${LIMIT / 1024} KB`); } }));
  app.use('*', writeKeyAuth(writeKey));
  for (const type of SEGMENT_TYPES) {
    app.post(`/${type}`, async (c) => {
      // A JSON object, kept as sent; segmentCall checks it against the call's schema.
      const call = segmentCall({ ...(await parseBody(c, JsonObject, 'event')), type });
      if ('skipped' in call) return c.json({ success: true, status: 'skipped', reason: call.skipped });
      const applied = await runtime.ingestEvent(call);
      return c.json({ success: true, status: applied.status });
    });
  }
  app.post('/batch', async (c) => {
    const { batch } = await parseBody(c, SegmentBatch, 'batch');
    // All or nothing: every event is checked before any is applied.
    const calls = batch.map((e, i) => segmentCall(e, ['batch', i]));
    let applied = 0;
    let duplicates = 0;
    for (const call of calls) {
      if ('skipped' in call) continue;
      if ((await runtime.ingestEvent(call)).status === 'duplicate') duplicates++;
      else applied++;
    }
    const skipped = calls.length - applied - duplicates;
    return c.json({ success: true, applied, duplicates, ...(skipped > 0 ? { skipped } : {}) });
  });
  return app;
}
