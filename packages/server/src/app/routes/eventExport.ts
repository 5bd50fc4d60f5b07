import { Hono } from 'hono';
import type { EventLog } from '../../stores/eventLog.ts';
import type { ApiEnv } from '../auth.ts';
import { periodOf } from '../period.ts';

/**
 * The accepted events of a period (`[from, to)` on each event's instant) as Segment calls, one JSON a
 * line, oldest first: what `baton simulate --events` replays (SPEC §10). Kept for the retention period only.
 */
export function eventExportRoutes(log: EventLog): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', async (c) => {
    const { from, to } = periodOf(c);
    const records = await log.read(from, to);
    c.header('content-type', 'application/x-ndjson; charset=utf-8');
    return c.body(records.map((r) => `${JSON.stringify(r.call)}\n`).join(''));
  });
  return app;
}
