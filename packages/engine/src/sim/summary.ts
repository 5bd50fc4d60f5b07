import { dictionary } from '../model/dictionary.ts';
import { formatInstant, type Millis } from '../model/time.ts';
import type { HandoffReport } from '../reports/handoffReport.ts';
import type { HandoffRecord } from '../state/records.ts';
import type { SimulationReport } from './report.ts';

/**
 * What a backtest sets side by side for one journey (SPEC §10): the draft's run over the recorded events
 * and what the live version did over the same window, in the same terms.
 */
export interface BacktestSummary {
  /** Contacts whose run of the journey entered it. */
  entries: number;
  /** Per node, the entries into it (the path counts). */
  paths: Record<string, number>;
  handoffs: { created: number; accepted: number; breached: number };
  /** Handoffs per rep per UTC day of their assignment, oldest day first, then by rep. */
  perRepDay: { rep: string; day: string; handoffs: number }[];
  /** Closed handoffs per outcome (`expired` included). */
  outcomes: Record<string, number>;
}

/** Handoffs per rep per UTC day, from (rep, day) pairs, in the summary's order. */
class RepDayCounts {
  private readonly counts = new Map<string, { rep: string; day: string; handoffs: number }>();

  add(rep: string | null, assignedAt: string | null): void {
    if (rep === null || assignedAt === null) return;
    const day = assignedAt.slice(0, 10);
    const key = JSON.stringify([day, rep]);
    const row = this.counts.get(key);
    if (row) row.handoffs++;
    else this.counts.set(key, { rep, day, handoffs: 1 });
  }

  rows(): BacktestSummary['perRepDay'] {
    return [...this.counts.values()].sort((a, b) =>
      a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.rep < b.rep ? -1 : a.rep > b.rep ? 1 : 0,
    );
  }
}

/** The outcomes counted, keys in order. */
function sortedCounts(counts: Map<string, number>): Record<string, number> {
  const out = dictionary<number>();
  for (const key of [...counts.keys()].sort()) out[key] = counts.get(key)!;
  return out;
}

/**
 * A draft's summary from its simulation report: entries, handoffs, assignments and outcomes of the latest
 * run of each contact (as live's report reads its contacts' latest runs), path counts of every run. With a
 * `window`, only the handoffs created in it count, as live's do.
 */
export function draftSummary(
  report: SimulationReport,
  journeyId: string,
  window?: { from: Millis; to: Millis },
): BacktestSummary {
  const perRepDay = new RepDayCounts();
  const outcomes = new Map<string, number>();
  const handoffs = { created: 0, accepted: 0, breached: 0 };
  let entries = 0;
  for (const contact of Object.values(report.contacts)) {
    const run = Object.hasOwn(contact.journeys, journeyId) ? contact.journeys[journeyId] : undefined;
    if (run === undefined) continue;
    entries++;
    for (const h of run.handoffs) {
      // Beside live, the handoffs created in the window, as live's are (the draft plays on after it).
      const created = typeof h.createdAt === 'string' ? Date.parse(h.createdAt) : Number.NaN;
      if (window && !(created >= window.from && created < window.to)) continue;
      handoffs.created++;
      if (h.acceptedAt !== null) handoffs.accepted++;
      if (h.breached) handoffs.breached++;
      perRepDay.add(h.assignee, h.assignedAt);
      if (h.outcome !== null) outcomes.set(h.outcome, (outcomes.get(h.outcome) ?? 0) + 1);
    }
  }
  const paths = dictionary<number>();
  const nodes = Object.hasOwn(report.nodes, journeyId) ? report.nodes[journeyId]! : {};
  for (const [node, { entered }] of Object.entries(nodes)) paths[node] = entered;
  return { entries, paths, handoffs, perRepDay: perRepDay.rows(), outcomes: sortedCounts(outcomes) };
}

/**
 * Live's summary over `[from, to)`: entries and path counts from its report's flow (runs that entered in
 * the window), the handoffs created in the window from their records.
 */
export function liveSummary(
  live: HandoffReport,
  handoffs: readonly HandoffRecord[],
  journeyId: string,
  start: string,
  from: Millis,
  to: Millis,
): BacktestSummary {
  const flow = Object.hasOwn(live.flow, journeyId) ? live.flow[journeyId]! : {};
  const paths = dictionary<number>();
  for (const [node, counts] of Object.entries(flow)) paths[node] = counts.entered;
  const perRepDay = new RepDayCounts();
  const outcomes = new Map<string, number>();
  let created = 0;
  let accepted = 0;
  let breached = 0;
  for (const h of handoffs) {
    if (h.journeyId !== journeyId || h.createdAt < from || h.createdAt >= to) continue;
    created++;
    if (h.acceptedAt !== null) accepted++;
    if (h.breached) breached++;
    perRepDay.add(h.assignee, h.assignedAt === null ? null : formatInstant(h.assignedAt));
    if (h.outcome !== null) outcomes.set(h.outcome, (outcomes.get(h.outcome) ?? 0) + 1);
  }
  return {
    entries: Object.hasOwn(flow, start) ? flow[start]!.entered : 0,
    paths,
    handoffs: { created, accepted, breached },
    perRepDay: perRepDay.rows(),
    outcomes: sortedCounts(outcomes),
  };
}
