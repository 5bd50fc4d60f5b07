import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { InboundEvent, parseInput, type Runtime } from '@baton/engine';
import { writeKeyAuth } from '../auth.ts';
import { readJsonBody } from '../body.ts';
import { httpError } from '../errors.ts';

const LIMIT = 512 * 1024;

const validate = (raw: unknown, at: PropertyKey[] = []): InboundEvent => parseInput(InboundEvent, raw, 'event', at);

/** Segment-compatible intake: /v1/track, /v1/identify and /v1/batch (all or nothing). */
export function eventRoutes(runtime: Runtime, writeKey: string): Hono {
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: LIMIT, onError: () => { throw httpError(413, 'too_large', `a request body may be at most ${LIMIT / 1024} KB`); } }));
  app.use('*', writeKeyAuth(writeKey));
  for (const type of ['track', 'identify'] as const) {
    app.post(`/${type}`, async (c) => {
      const event = validate({ ...(await readJsonBody(c) as object), type });
      const applied = await runtime.ingest(event);
      return c.json({ success: true, status: applied.status });
    });
  }
  app.post('/batch', async (c) => {
    const raw = (await readJsonBody(c)) as { batch?: unknown };
    if (!Array.isArray(raw?.batch)) throw httpError(400, 'input_invalid', 'a batch body is { "batch": [ events ] }');
    // All or nothing: every event is checked before any is applied.
    const events = raw.batch.map((e, i) => validate(e, ['batch', i]));
    let duplicates = 0;
    for (const e of events) if ((await runtime.ingest(e)).status === 'duplicate') duplicates++;
    return c.json({ success: true, applied: events.length - duplicates, duplicates });
  });
  return app;
}
