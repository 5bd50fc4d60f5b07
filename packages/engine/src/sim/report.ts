import { dictionary } from '../model/dictionary.ts';
import { formatInstant } from '../model/time.ts';
import type { JournalEntry } from '../state/effects.ts';
import type { ContactState, HandoffRecord, InstanceRecord } from '../state/records.ts';
import { reportHandoff, type ReportHandoff } from '../handoff/report.ts';

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

  /** The counts as plain data, to send between threads: `[journey, node, entered]`. */
  entries(): [string, string, number][] {
    const out: [string, string, number][] = [];
    for (const [journeyId, nodes] of this.counts) for (const [node, n] of nodes) out.push([journeyId, node, n.entered]);
    return out;
  }

  /** Adds counts made elsewhere (another thread's `entries()`). */
  merge(entries: readonly (readonly [string, string, number])[]): void {
    for (const [journeyId, node, n] of entries) {
      let journey = this.counts.get(journeyId);
      if (!journey) this.counts.set(journeyId, (journey = new Map()));
      const count = journey.get(node);
      if (count) count.entered += n;
      else journey.set(node, { entered: n });
    }
  }

  /**
   * The report's `nodes` in the order the journeys list them and define their nodes (then anything else
   * counted): the same however the run's contacts were split between threads, where the order first
   * entered depends on which thread got there first.
   */
  nodesIn(journeys: readonly { id: string; nodes: readonly { id: string }[] }[]): SimulationReport['nodes'] {
    const out = dictionary<Record<string, { entered: number }>>();
    const left = this.nodes;
    for (const j of journeys) {
      const counted = left[j.id];
      if (!counted) continue;
      const counts = (out[j.id] = dictionary<{ entered: number }>());
      for (const n of j.nodes) {
        const c = counted[n.id];
        if (c) counts[n.id] = c;
      }
      for (const [node, c] of Object.entries(counted)) if (!counts[node]) counts[node] = c;
    }
    for (const [journeyId, counted] of Object.entries(left)) if (!out[journeyId]) out[journeyId] = counted;
    return out;
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

/**
 * Shares the lists that many contacts' entries hold alike (paths, routing traces, whys), so that a report
 * of a million contacts holds one copy of each (issue #17). Bounded: past `limit` distinct lists, new ones
 * are kept as they are.
 */
export class ReportInterner {
  private readonly lists = new Map<string, string[]>();
  constructor(private readonly limit = 100_000) {}

  /** One empty list for every entry that has nothing to list (frozen: the entries share it). */
  none<T>(): T[] {
    return NONE as unknown as T[];
  }

  list(items: string[]): string[] {
    const key = items.join('\u0000');
    const known = this.lists.get(key);
    if (known) return known;
    if (this.lists.size < this.limit) this.lists.set(key, items);
    return items;
  }
}

const NONE: readonly never[] = Object.freeze([]);

/** The journeys object of one contact's entry: own keys only (ids are user input), with fast properties. */
const OWN_KEYS: object = Object.freeze(Object.create(null));

/** A contact's latest run through each journey, as the report shows it. */
export function reportJourneys(state: ContactState, interner?: ReportInterner): Record<string, ReportJourney> {
  // Object.create(null) would do as well, but V8 keeps such objects as hash tables (three times the size).
  const journeys = Object.create(OWN_KEYS) as Record<string, ReportJourney>;
  const instances =
    state.instances.length > 1
      ? [...state.instances].sort((a, b) => (a.journeyId < b.journeyId ? -1 : 1))
      : state.instances;
  for (const inst of instances) {
    const entry: ReportJourney = {
      status: inst.status,
      version: inst.version,
      outcome: inst.outcome,
      path: interner ? interner.list(inst.path) : inst.path,
      handoffs: handoffsOfRun(state, inst, interner),
      messages:
        interner && inst.messages.length === 0
          ? interner.none()
          : inst.messages.map((m) => ({
              node: m.node,
              action: m.action,
              at: formatInstant(m.at),
              suppressed: m.suppressed,
            })),
    };
    if (inst.run > 1) entry.runs = inst.run; // (not spread into the literal: V8 would copy every entry slowly)
    journeys[inst.journeyId] = entry;
  }
  return journeys;
}

/** The handoffs of a run, as the report lists them. */
function handoffsOfRun(state: ContactState, inst: InstanceRecord, interner?: ReportInterner): ReportHandoff[] {
  let out: ReportHandoff[] | undefined;
  for (const h of state.handoffs) {
    if (h.journeyId !== inst.journeyId || h.run !== inst.run) continue;
    const r = reportHandoff(h);
    if (interner) {
      r.trace = interner.list(h.trace);
      r.why = interner.list(h.why);
      if (h.rejectedBy.length === 0) r.rejectedBy = interner.none();
      if (h.assignedAt === h.createdAt) r.assignedAt = r.createdAt as string | null; // one string for the same instant
    }
    (out ??= []).push(r);
  }
  return out ?? (interner ? interner.none() : []);
}

/** Turns stored contact states into the report's `contacts` section. */
export function reportContacts(states: readonly ContactState[]): SimulationReport['contacts'] {
  const contacts: SimulationReport['contacts'] = dictionary();
  for (const state of [...states].sort((a, b) => (a.contact.id < b.contact.id ? -1 : 1)))
    contacts[state.contact.id] = { journeys: reportJourneys(state) };
  return contacts;
}

/** The report's handoff totals, counted contact by contact. */
export class HandoffTotals {
  created = 0;
  accepted = 0;
  breached = 0;
  unassigned = 0;

  add(handoffs: readonly HandoffRecord[]): void {
    for (const h of handoffs) {
      this.created++;
      if (h.acceptedAt !== null) this.accepted++;
      if (h.breached) this.breached++;
      if (h.wasUnassigned) this.unassigned++;
    }
  }

  /** The report's `handoffs`. */
  get counts(): SimulationReport['handoffs'] {
    return { created: this.created, accepted: this.accepted, breached: this.breached, unassigned: this.unassigned };
  }
}
