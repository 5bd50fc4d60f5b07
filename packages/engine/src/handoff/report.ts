import { formatInstant } from '../model/time.ts';
import type { HandoffRecord } from '../state/records.ts';

/** A handoff as a simulation report lists it (SPEC §8); the record a rep sees adds more. */
export interface ReportHandoff {
  node: string;
  record: string;
  queue: string | null;
  assignee: string | null;
  assignedAt: string | null;
  dueAt: string | null;
  acceptedAt: string | null;
  breached: boolean;
  escalatedTo: string | null;
  outcome: string | null;
  closedAt: string | null;
  [extra: string]: unknown;
}

const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms));

/** A handoff as the §8 report shows it, with its title, priority, routing trace and why. */
export function reportHandoff(h: HandoffRecord): ReportHandoff {
  return {
    node: h.node,
    record: h.record,
    queue: h.queue,
    assignee: h.assignee,
    assignedAt: instant(h.assignedAt),
    dueAt: instant(h.dueAt),
    acceptedAt: instant(h.acceptedAt),
    breached: h.breached,
    escalatedTo: h.escalatedTo,
    outcome: h.outcome,
    closedAt: instant(h.closedAt),
    id: h.id,
    title: h.title,
    priority: h.priority,
    createdAt: instant(h.createdAt),
    rejectedBy: h.rejectedBy.map((r) => ({ rep: r.rep, reason: r.reason, at: formatInstant(r.at) })),
    trace: h.trace,
    why: h.why,
  };
}
