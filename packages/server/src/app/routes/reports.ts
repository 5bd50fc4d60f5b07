import { Hono } from 'hono';
import type { HandoffReport, Store } from '@baton/engine/internal';
import type { ApiEnv } from '../auth.ts';
import { periodOf } from '../period.ts';

/** Reports over a period (`from`, `to` on handoff creation) and optionally one journey: per journey, node, queue, rep and day; also as CSV. */
export function reportRoutes(store: Store): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/', async (c) => {
    const { from, to } = periodOf(c);
    const scope = { from: from ?? undefined, to: to ?? undefined, journey: c.req.query('journey') || undefined };
    const report = await store.report(scope);
    if (c.req.query('format') === 'csv') {
      c.header('content-type', 'text/csv; charset=utf-8');
      return c.body(toCsv(report));
    }
    return c.json(report);
  });
  return app;
}

const CSV_HEAD = [
  'group',
  'key',
  'handoffs',
  'open',
  'accepted',
  'acceptRate',
  'ttftP50Seconds',
  'ttftP90Seconds',
  'breached',
  'breachRate',
  'converted',
  'conversionRate',
  'revenue',
  'outcomes',
  // Additions after SPEC's columns, so a spreadsheet reading them by position still reads them.
  'rejected',
];

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per group and key, for a spreadsheet. */
function toCsv(report: HandoffReport): string {
  const rows = [CSV_HEAD];
  const groups = {
    total: { all: report.total },
    journey: report.journeys,
    node: report.nodes,
    queue: report.queues,
    rep: report.reps,
    day: report.days,
  };
  for (const [group, entries] of Object.entries(groups)) {
    for (const [key, s] of Object.entries(entries)) {
      const outcomes = Object.entries(s.outcomes)
        .map(([o, n]) => `${o}=${n}`)
        .join(' ');
      rows.push(
        [
          group,
          key,
          s.handoffs,
          s.open,
          s.accepted,
          s.acceptRate,
          s.timeToFirstTouch.p50,
          s.timeToFirstTouch.p90,
          s.breached,
          s.breachRate,
          s.converted,
          s.conversionRate,
          s.revenue,
          outcomes,
          s.rejected,
        ].map(cell),
      );
    }
  }
  return `${rows.map((r) => r.join(',')).join('\n')}\n`;
}
