import type { Millis } from '../model/time.ts';
import {
  assembleReport,
  countRun,
  inPeriod,
  reportRow,
  type HandoffReport,
  type NodeCounts,
  type ReportPeriod,
  type ReportRow,
} from '../reports/handoffReport.ts';
import type { ContactState, HandoffRecord, InstanceRecord } from '../state/records.ts';
import { SortedList } from './sortedList.ts';
import { byAge } from './store.ts';

/** The order of both lists: by instant (a handoff's creation, a run's entry), then id. */
interface Key {
  createdAt: Millis;
  id: string;
}

interface IndexedHandoff extends Key {
  handoff: HandoffRecord;
}

/** A contact's latest run of a journey (a contact has one per journey), keyed by entry and contact id. */
interface IndexedRun extends Key {
  instance: InstanceRecord;
}

/** Whether two versions of a handoff sit at the same place in their journey's list. */
const sameHandoffKey = (a: HandoffRecord, b: HandoffRecord) =>
  a.id === b.id && a.createdAt === b.createdAt && a.journeyId === b.journeyId;
/** Whether two runs of one contact sit at the same place in their journey's list. */
const sameRunKey = (a: InstanceRecord, b: InstanceRecord) => a.enteredAt === b.enteredAt && a.journeyId === b.journeyId;

/** Before every item of a period that starts at `from` (ids are never empty). */
const startOf = (from: Millis | undefined): Key | undefined =>
  from === undefined ? undefined : { createdAt: from, id: '' };

/**
 * What reports read, kept as commits come: per journey, its handoffs by creation and its contacts' latest
 * runs by entry. A report reads the part of each list in its period (and only its journey's lists), never
 * every contact (issue #17). The memory store keeps it, and lowdb through it.
 */
export class ReportIndex {
  private readonly journeys = new Map<
    string,
    { handoffs: SortedList<IndexedHandoff, Key>; runs: SortedList<IndexedRun, Key> }
  >();

  /** Follows one contact's change (`after` undefined: it was removed). */
  update(contactId: string, before: ContactState | undefined, after: ContactState | undefined): void {
    const beforeHandoffs = before?.handoffs ?? [];
    const afterHandoffs = after?.handoffs ?? [];
    // A record a step changed keeps its key (a handoff its id and creation, a run its entry): `set` replaces
    // it in place, so it is not deleted first (two splices of a chunk on every step that moves a run).
    if (beforeHandoffs !== afterHandoffs) {
      for (const h of beforeHandoffs)
        if (!afterHandoffs.some((a) => sameHandoffKey(a, h))) this.lists(h.journeyId).handoffs.delete(h);
      for (const h of afterHandoffs)
        if (!beforeHandoffs.includes(h))
          this.lists(h.journeyId).handoffs.set({ createdAt: h.createdAt, id: h.id, handoff: h });
    }
    const beforeRuns = before?.instances ?? [];
    const afterRuns = after?.instances ?? [];
    if (beforeRuns !== afterRuns) {
      for (const i of beforeRuns)
        if (!afterRuns.some((a) => sameRunKey(a, i)))
          this.lists(i.journeyId).runs.delete({ createdAt: i.enteredAt, id: contactId });
      for (const i of afterRuns)
        if (!beforeRuns.includes(i))
          this.lists(i.journeyId).runs.set({ createdAt: i.enteredAt, id: contactId, instance: i });
    }
  }

  /**
   * The report of a period, as `handoffReport` computes it over every contact. `instancesOf` gives a
   * contact's runs, to tell whether a handoff's run converted.
   */
  report(period: ReportPeriod, instancesOf: (contactId: string) => readonly InstanceRecord[]): HandoffReport {
    const rows: ReportRow[] = [];
    const flow = new Map<string, Map<string, NodeCounts>>();
    const start = startOf(period.from);
    for (const [journeyId, { handoffs, runs }] of this.journeys) {
      if (period.journey !== undefined && journeyId !== period.journey) continue;
      for (const { handoff } of handoffs.walk(start)) {
        if (!inPeriod(period, handoff.createdAt)) break;
        rows.push(reportRow(handoff, instancesOf(handoff.contactId)));
      }
      for (const { instance } of runs.walk(start)) {
        if (!inPeriod(period, instance.enteredAt)) break;
        countRun(flow, instance);
      }
    }
    return assembleReport(rows, flow, period);
  }

  private lists(journeyId: string) {
    let lists = this.journeys.get(journeyId);
    if (lists === undefined)
      this.journeys.set(journeyId, (lists = { handoffs: new SortedList(byAge), runs: new SortedList(byAge) }));
    return lists;
  }
}
