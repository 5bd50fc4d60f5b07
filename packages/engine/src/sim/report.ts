import { dictionary } from '../model/dictionary.ts';
import { formatInstant } from '../model/time.ts';
import type { JournalEntry } from '../state/effects.ts';
import type { ContactState, InstanceRecord } from '../state/records.ts';
import type { ReportHandoff } from '../handoff/report.ts';

/** One contact's latest run through one journey. */
export interface ReportJourney {
  status: InstanceRecord['status'];
  /** The journey version the run is on (SPEC §10). */
  version: number;
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
  private readonly counts = new Map<string, Map<string, { entered: number }>>();
  add(entries: readonly JournalEntry[]): void {
    for (const e of entries) {
      if (e.kind !== 'node') continue;
      let journey = this.counts.get(e.journeyId);
      if (!journey) this.counts.set(e.journeyId, (journey = new Map()));
      const node = journey.get(e.node);
      if (node) node.entered++;
      else journey.set(e.node, { entered: 1 });
    }
  }

  /** The report's `nodes`: entries per journey, per node, in the order first entered. */
  get nodes(): SimulationReport['nodes'] {
    const out = dictionary<Record<string, { entered: number }>>();
    for (const [journeyId, nodes] of this.counts) {
      const counts = (out[journeyId] = dictionary<{ entered: number }>());
      for (const [node, n] of nodes) counts[node] = { entered: n.entered };
    }
    return out;
  }
}

/** Turns stored contact states into the report's `contacts` section. */
export function reportContacts(
  states: readonly ContactState[],
  handoffsOf: (state: ContactState, inst: InstanceRecord) => ReportHandoff[],
): SimulationReport['contacts'] {
  const contacts: SimulationReport['contacts'] = dictionary();
  for (const state of [...states].sort((a, b) => (a.contact.id < b.contact.id ? -1 : 1))) {
    const journeys = dictionary<ReportJourney>();
    for (const inst of [...state.instances].sort((a, b) => (a.journeyId < b.journeyId ? -1 : 1))) {
      journeys[inst.journeyId] = {
        status: inst.status,
        version: inst.version,
        outcome: inst.outcome,
        path: inst.path,
        handoffs: handoffsOf(state, inst),
        messages: inst.messages.map((m) => ({
          node: m.node,
          action: m.action,
          at: formatInstant(m.at),
          suppressed: m.suppressed,
        })),
        ...(inst.run > 1 ? { runs: inst.run } : {}),
      };
    }
    contacts[state.contact.id] = { journeys };
  }
  return contacts;
}
