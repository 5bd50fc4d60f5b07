import { formatInstant } from '../model/time.ts';
import type { JournalEntry } from '../runtime/effects.ts';
import type { ContactState, InstanceRecord } from '../runtime/records.ts';

/** A handoff as a simulation report lists it (SPEC §8). */
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

/** One contact's latest run through one journey. */
export interface ReportJourney {
  status: InstanceRecord['status'];
  outcome: string | null;
  path: string[];
  handoffs: ReportHandoff[];
  messages: { node: string; action: string; at: string; suppressed: boolean }[];
  runs?: number;
}

/** The report of a simulation (SPEC §8). */
export interface SimulationReport {
  contacts: Record<string, { journeys: Record<string, ReportJourney> }>;
  nodes: Record<string, Record<string, { entered: number }>>;
  handoffs: { created: number; accepted: number; breached: number; unassigned: number };
  refused: { step: number; error: string }[];
}

/** Counts node entries from the journal of every step; every run counts, not only the latest. */
export class NodeCounter {
  readonly nodes: SimulationReport['nodes'] = {};
  add(entries: readonly JournalEntry[]): void {
    for (const e of entries) {
      if (e.kind !== 'node') continue;
      const journey = (this.nodes[e.journeyId] ??= {});
      (journey[e.node] ??= { entered: 0 }).entered++;
    }
  }
}

/** Turns stored contact states into the report's `contacts` section. */
export function reportContacts(
  states: readonly ContactState[],
  handoffsOf: (state: ContactState, inst: InstanceRecord) => ReportHandoff[],
): SimulationReport['contacts'] {
  const contacts: SimulationReport['contacts'] = {};
  for (const state of [...states].sort((a, b) => (a.contact.id < b.contact.id ? -1 : 1))) {
    const journeys: Record<string, ReportJourney> = {};
    for (const inst of [...state.instances].sort((a, b) => (a.journeyId < b.journeyId ? -1 : 1))) {
      journeys[inst.journeyId] = {
        status: inst.status,
        outcome: inst.outcome,
        path: inst.path,
        handoffs: handoffsOf(state, inst),
        messages: inst.messages.map((m) => ({ node: m.node, action: m.action, at: formatInstant(m.at), suppressed: m.suppressed })),
        ...(inst.run > 1 ? { runs: inst.run } : {}),
      };
    }
    contacts[state.contact.id] = { journeys };
  }
  return contacts;
}
