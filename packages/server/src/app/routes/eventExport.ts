import { Hono } from 'hono';
import { parseInstant } from '@baton/engine/internal';
import type { EventLog } from '../../stores/eventLog.ts';
import type { ApiEnv } from '../auth.ts';
import { httpError } from '../errors.ts';

const instant = (name: string, value: string | undefined): number | null => {
  if (value === undefined || value === '') return null;
  try {
    return parseInstant(value);
  } catch {
    throw httpError(
      400,
      'input_invalid',
      `${name} must be an ISO 8601 instant such as 2026-11-01T00:00:00Z, got "${value}"`,
    );
  }
};

/**
 * The accepted events of a period (`[from, to)` on each event's instant) as Segment calls, one JSON a
 * line, oldest first: what `baton simulate --events` replays (SPEC §10). Kept for the retention period only.
 */
export function eventExportRoutes(log: EventLog): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', async (c) => {
    const from = instant('from', c.req.query('from'));
    const to = instant('to', c.req.query('to'));
    if (from !== null && to !== null && to < from)
      throw httpError(
        400,
        'input_invalid',
        `to (${c.req.query('to')}) must not be before from (${c.req.query('from')})`,
      );
    const records = await log.read(from, to);
    c.header('content-type', 'application/x-ndjson; charset=utf-8');
    return c.body(records.map((r) => `${JSON.stringify(r.call)}\n`).join(''));
  });
  return app;
}
