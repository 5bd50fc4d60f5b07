import { dictionary } from '../model/dictionary.ts';
import { formatInstant, type Millis } from '../model/time.ts';
import type { ContactState, HandoffRecord, InstanceRecord } from '../state/records.ts';

/** The closed-loop numbers for a set of handoffs. Times are in seconds. */
export interface HandoffStats {
  handoffs: number;
  open: number;
  accepted: number;
  /** accepted / handoffs, or null when there are none. */
  acceptRate: number | null;
  /** Time to first touch (creation to accept), nearest-rank percentiles over accepted handoffs. */
  timeToFirstTouch: { p50: number | null; p90: number | null };
  breached: number;
  breachRate: number | null;
  /**
   * Handoffs a rep rejected at least once (an addition to SPEC §8's report). Per rep, the handoffs that rep
   * rejected, whoever held them at the end.
   */
  rejected: number;
  /** Closed handoffs per outcome (`expired` included). */
  outcomes: Record<string, number>;
  /** Handoffs whose journey run then exited with the outcome `converted`. */
  converted: number;
  conversionRate: number | null;
  /** The sum of the `value` logged with outcomes. */
  revenue: number;
}

/** How far contacts got through a journey (the latest run of each contact). */
export interface NodeCounts {
  entered: number;
  /** Contacts there now (waiting at it, or paused there). */
  current: number;
  exited: number;
  /**
   * Of those that entered, the runs that then left the journey with the outcome `converted` (an addition):
   * on the first step of each branch path, that path's conversion.
   */
  converted: number;
}

/** The report of a period: totals, then the same numbers per journey, handoff node, queue and rep. */
export interface HandoffReport {
  from: string | null;
  to: string | null;
  total: HandoffStats;
  journeys: Record<string, HandoffStats>;
  /** Keyed `journey/node`. */
  nodes: Record<string, HandoffStats>;
  queues: Record<string, HandoffStats>;
  /**
   * By the rep holding the handoff at the end (after any escalation or reassignment), except `rejected`:
   * the handoffs the rep rejected. A rep who rejected handoffs and holds none of the period's is listed
   * with no handoffs and their rejections.
   */
  reps: Record<string, HandoffStats>;
  /** By UTC day of creation (`YYYY-MM-DD`), oldest first, days with handoffs only: the trend (an addition). */
  days: Record<string, HandoffStats>;
  /** Per journey, per node: entered, current and exited, from the contacts' latest runs. */
  flow: Record<string, Record<string, NodeCounts>>;
}

/** The fields of a handoff a report reads. */
export type ReportedHandoff = Pick<
  HandoffRecord,
  | 'journeyId'
  | 'node'
  | 'queue'
  | 'assignee'
  | 'status'
  | 'createdAt'
  | 'acceptedAt'
  | 'breached'
  | 'outcome'
  | 'value'
  | 'rejectedBy'
>;

/** One handoff of a report, and whether its journey run then converted. */
export interface ReportRow {
  handoff: ReportedHandoff;
  converted: boolean;
}

/** The period (on handoff creation, and on run entry for the flow) and journey a report covers. */
export interface ReportPeriod {
  from?: Millis | undefined;
  to?: Millis | undefined;
  journey?: string | undefined;
}

type Row = ReportRow;

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/** The nearest-rank percentile of sorted values, or null for none. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The numbers of one group of handoffs. */
export function handoffStats(rows: readonly Row[]): HandoffStats {
  const touches: number[] = [];
  const outcomes = new Map<string, number>();
  let accepted = 0;
  let breached = 0;
  let rejected = 0;
  let converted = 0;
  let revenue = 0;
  let open = 0;
  for (const { handoff: h, converted: won } of rows) {
    if (h.status === 'open') open++;
    if (h.acceptedAt !== null) {
      accepted++;
      touches.push((h.acceptedAt - h.createdAt) / 1000);
    }
    if (h.breached) breached++;
    if (h.rejectedBy.length > 0) rejected++;
    if (h.outcome !== null) outcomes.set(h.outcome, (outcomes.get(h.outcome) ?? 0) + 1);
    if (won) converted++;
    revenue += h.value ?? 0;
  }
  touches.sort((a, b) => a - b);
  const n = rows.length;
  return {
    handoffs: n,
    open,
    accepted,
    acceptRate: rate(accepted, n),
    timeToFirstTouch: { p50: percentile(touches, 50), p90: percentile(touches, 90) },
    breached,
    breachRate: rate(breached, n),
    rejected,
    // By name, whatever order the handoffs were read in (the stores read them in different orders).
    outcomes: entriesOf(new Map([...outcomes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))),
    converted,
    conversionRate: rate(converted, n),
    revenue,
  };
}

/** A report object keyed by ids: an own key for every id (`__proto__` too), in the map's order. */
function entriesOf<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  const out = dictionary<T>();
  for (const [key, value] of map) out[key] = value;
  return out;
}

function grouped(rows: readonly Row[], key: (h: ReportedHandoff) => string | null): Record<string, HandoffStats> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const k = key(row.handoff);
    if (k === null) continue;
    const list = groups.get(k) ?? [];
    list.push(row);
    groups.set(k, list);
  }
  return entriesOf(
    new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, list]) => [k, handoffStats(list)])),
  );
}

/** Each rep's `rejected`: the handoffs that rep rejected (once or more), counted against them, not the last holder. */
function withRejections(reps: Record<string, HandoffStats>, rows: readonly Row[]): Record<string, HandoffStats> {
  const made = new Map<string, number>();
  for (const { handoff } of rows)
    for (const rep of new Set(handoff.rejectedBy.map((r) => r.rep))) made.set(rep, (made.get(rep) ?? 0) + 1);
  const all = new Map(Object.entries(reps));
  for (const rep of made.keys()) if (!all.has(rep)) all.set(rep, handoffStats([]));
  return entriesOf(
    new Map(
      [...all]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([rep, stats]) => [rep, { ...stats, rejected: made.get(rep) ?? 0 }]),
    ),
  );
}

/** Whether an instant is in a report's period. */
export const inPeriod = (period: ReportPeriod, at: Millis) =>
  (period.from === undefined || at >= period.from) && (period.to === undefined || at < period.to);

/** A handoff's report row: it converted if its journey run then exited with the outcome `converted`. */
export function reportRow(h: HandoffRecord, instances: readonly InstanceRecord[]): ReportRow {
  const run = instances.find((i) => i.journeyId === h.journeyId && i.run === h.run);
  return { handoff: h, converted: run !== undefined && converted(run) };
}

/** Whether a journey run converted: it exited with the outcome `converted` (as SPEC §8's example does). */
const converted = (run: InstanceRecord) => run.status === 'exited' && run.outcome === 'converted';

/** Counts a journey run in the flow: every node on its path entered, and the node it is at now. */
export function countRun(flow: Map<string, Map<string, NodeCounts>>, inst: InstanceRecord): void {
  let nodes = flow.get(inst.journeyId);
  if (!nodes) flow.set(inst.journeyId, (nodes = new Map()));
  const won = converted(inst) ? 1 : 0;
  for (const node of inst.path) {
    const counts = nodes.get(node);
    if (counts) {
      counts.entered++;
      counts.converted += won;
    } else nodes.set(node, { entered: 1, current: 0, exited: 0, converted: won });
  }
  const at = inst.status !== 'exited' && inst.node !== null ? nodes.get(inst.node) : undefined;
  if (at) at.current++;
}

/**
 * Closes the loop: what happened to the handoffs created in `[from, to)`, and how contacts moved through
 * each journey; with `journey`, every part of the report (totals, queues and reps included) covers that
 * journey only. Pure; a store runs it over what it holds (or assembles the same report from an index or
 * a query).
 */
export function handoffReport(contacts: Iterable<ContactState>, period: ReportPeriod = {}): HandoffReport {
  const rows: Row[] = [];
  const flow = new Map<string, Map<string, NodeCounts>>();
  const other = (journeyId: string) => period.journey !== undefined && journeyId !== period.journey;
  for (const state of contacts) {
    for (const h of state.handoffs) {
      if (!other(h.journeyId) && inPeriod(period, h.createdAt)) rows.push(reportRow(h, state.instances));
    }
    for (const inst of state.instances) {
      if (!other(inst.journeyId) && inPeriod(period, inst.enteredAt)) countRun(flow, inst);
    }
  }
  return assembleReport(rows, flow, period);
}

/**
 * A report from its parts: the handoffs of the period with their conversion, and per journey and node
 * how many runs entered and are there now (`exited` is derived). A store that queries instead of
 * walking its contacts (PostgreSQL) builds the same report through this.
 */
export function assembleReport(
  rows: readonly ReportRow[],
  flow: ReadonlyMap<string, ReadonlyMap<string, NodeCounts>>,
  period: ReportPeriod,
): HandoffReport {
  for (const nodes of flow.values()) for (const c of nodes.values()) c.exited = c.entered - c.current;
  const iso = (ms: Millis | undefined) => (ms === undefined ? null : formatInstant(ms));
  return {
    from: iso(period.from),
    to: iso(period.to),
    total: handoffStats(rows),
    journeys: grouped(rows, (h) => h.journeyId),
    nodes: grouped(rows, (h) => `${h.journeyId}/${h.node}`),
    queues: grouped(rows, (h) => h.queue),
    reps: withRejections(
      grouped(rows, (h) => h.assignee),
      rows,
    ),
    days: grouped(rows, (h) => formatInstant(h.createdAt).slice(0, 10)),
    flow: entriesOf(new Map([...flow].map(([journey, nodes]) => [journey, entriesOf(nodes)]))),
  };
}
