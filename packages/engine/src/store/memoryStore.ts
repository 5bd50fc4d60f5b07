import type { Millis } from '../model/time.ts';
import { ConflictError, DeskConflictError, DuplicateMessageError } from '../model/errors.ts';
import type { ContactState, HandoffRecord, TimerRecord } from '../state/records.ts';
import { compactTimeline } from './compactTimeline.ts';
import { nameIndex } from '../conditions/timeline.ts';
import { newDesk, type DeskState } from '../routing/desk.ts';
import { MinHeap } from './heap.ts';
import { ReportIndex } from './reportIndex.ts';
import { SortedList } from './sortedList.ts';
import { byAge, type WaitingQuery } from './store.ts';
import { handoffReport, type HandoffReport, type ReportPeriod } from '../reports/handoffReport.ts';
import {
  byDueThenAge,
  countOpenHandoffs,
  isLate,
  matchesQuery,
  type OpenHandoffCount,
  type ClaimRequest,
  type Commit,
  type DeskCommit,
  type HandoffKey,
  type HandoffQuery,
  type ImmediateStore,
  type OutboxEntry,
  type Store,
  type StepRead,
} from './store.ts';

/** Below this many entries the due heap is never rebuilt. */
const MIN_COMPACT = 1024;

/** Files an open handoff under its assignee's or queue's id (none: not filed). */
function file(index: Map<string, Map<string, HandoffRecord>>, key: string | null, h: HandoffRecord): void {
  if (key === null) return;
  let of = index.get(key);
  if (of === undefined) index.set(key, (of = new Map()));
  of.set(h.id, h);
}

function unfile(index: Map<string, Map<string, HandoffRecord>>, key: string | null, id: string): void {
  if (key === null) return;
  const of = index.get(key);
  if (of?.delete(id) && of.size === 0) index.delete(key);
}

const NO_HANDOFFS: ReadonlyMap<string, HandoffRecord> = new Map();

/** Handoffs in the order lists give them (`byDueThenAge`), open and closed apart, and the open ones waiting. */
interface HandoffLists {
  open: SortedList<HandoffRecord, HandoffKey>;
  closed: SortedList<HandoffRecord, HandoffKey>;
  unassigned: SortedList<HandoffRecord, HandoffKey>;
}

/** Whether a handoff waits for a rep (the inbox's unassigned work). */
const waitsForRep = (h: HandoffRecord) => h.status === 'open' && h.assignee === null;

/** Two walks in one order, merged into that order. */
function* merged<T>(a: Iterator<T>, b: Iterator<T>, compare: (x: T, y: T) => number): Generator<T> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && compare(x.value, y.value) <= 0)) {
      yield x.value as T;
      x = a.next();
    } else {
      yield y.value;
      y = b.next();
    }
  }
}

/** Due timers: the earliest first, then by id (ids break ties between timers due at one instant). */
const dueAt = (t: TimerRecord) => t.dueAt;
const byId = (a: TimerRecord, b: TimerRecord) => a.id < b.id;

/** Whether `timers` holds one with this id: a loop, as a contact has a few timers and this runs on every commit. */
function includesTimer(timers: readonly TimerRecord[], id: string): boolean {
  for (const t of timers) if (t.id === id) return true;
  return false;
}

/** Options of the memory store. */
export interface MemoryStoreOptions {
  /** Keep delivered effects in the outbox (a simulation may not need them). Default true. */
  keepOutbox?: boolean;
  /**
   * Keep the reports' index (handoffs and runs by instant, per journey), so `report` reads only its period.
   * Default true; a simulation that builds its report from the contacts at the end leaves it out.
   */
  reportIndex?: boolean;
}

/** Everything a memory store holds, as plain JSON: what a durable store writes to disk and reads back. */
export interface StoreSnapshot {
  contacts: ContactState[];
  messages: string[];
  /** When each of `messages` was committed, in the same order (null: before instants were kept). */
  messagesAt?: (Millis | null)[];
  desk: { version: number; state: DeskState };
  outbox: OutboxEntry[];
  seq: number;
}

/** The store for tests, simulations and the browser: everything in memory, nothing durable. */
export class MemoryStore implements Store, ImmediateStore {
  private readonly states = new Map<string, ContactState>();
  /** messageIds with the instant they were committed (null: unknown, kept). */
  private readonly messages = new Map<string, Millis | null>();
  private readonly timers = new Map<string, TimerRecord>();
  private readonly due = new MinHeap<TimerRecord>(dueAt, byId);
  private readonly leases = new Map<string, { owner: string; until: Millis }>();
  private readonly outbox: OutboxEntry[] = [];
  private readonly open = new Map<string, HandoffRecord>();
  /**
   * Open handoffs per assignee and per queue, by id: a rep's inbox (their handoffs, then each of their
   * queues') reads only those, where it walked every open handoff once per list (issue #17); a rep's load
   * is the size of theirs.
   */
  private readonly openOf = {
    assignee: new Map<string, Map<string, HandoffRecord>>(),
    queue: new Map<string, Map<string, HandoffRecord>>(),
  };
  private readonly byId = new Map<string, HandoffRecord>();
  /**
   * Every handoff in list order, made on the first list that needs it (a simulation never lists), then
   * kept with each commit: a page of the closed handoffs, or of every open one, reads only that page.
   */
  private lists: HandoffLists | null = null;
  /** Open handoffs waiting unassigned, per queue (null: waiting for no queue), oldest first. */
  private readonly waiting = new Map<string | null, SortedList<HandoffRecord, { createdAt: Millis; id: string }>>();
  private desk: { version: number; state: DeskState } = { version: 0, state: newDesk() };
  private seq = 0;
  private readonly reports: ReportIndex | null;

  constructor(private readonly options: MemoryStoreOptions = {}) {
    this.reports = options.reportIndex === false ? null : new ReportIndex();
  }

  /**
   * A memory store holding a snapshot's data, with its indexes (timers, open handoffs, loads, timelines)
   * rebuilt. `indexTimelines` false leaves the timelines' to a caller that changes more first (lowdb
   * replaying its journal, which replaces some) and calls `indexTimelines` then: each is made once.
   */
  static fromSnapshot(snapshot: StoreSnapshot, options: MemoryStoreOptions = {}, indexTimelines = true): MemoryStore {
    const store = new MemoryStore(options);
    for (const state of snapshot.contacts) {
      compactTimeline(state.contact);
      store.states.set(state.contact.id, state);
      store.reports?.update(state.contact.id, undefined, state);
      store.indexTimers([], state.timers);
      store.indexHandoffs([], state.handoffs ?? []);
    }
    snapshot.messages.forEach((m, i) => store.messages.set(m, snapshot.messagesAt?.[i] ?? null));
    store.desk = snapshot.desk;
    for (const entry of snapshot.outbox) store.outbox.push(entry); // not push(...): an outbox can outgrow a call's arguments
    store.seq = snapshot.seq;
    if (indexTimelines) store.indexTimelines();
    return store;
  }

  /**
   * Makes the name index of every contact's older events that has none, as the store's other indexes are
   * made when it opens its data: a restarted server's first step on a long-lived contact then reads only
   * the events of the names its counts and scores are about, instead of walking up to 1,000 events to
   * make the index. A store that replays more changes after `fromSnapshot` (lowdb's journal) calls it
   * once they are in.
   */
  indexTimelines(): void {
    for (const state of this.states.values()) nameIndex(state.contact.history);
  }

  /** Everything this store holds, as plain JSON. Leases are not part of it: they end with the process. */
  snapshot(): StoreSnapshot {
    return {
      contacts: [...this.states.values()],
      messages: [...this.messages.keys()],
      messagesAt: [...this.messages.values()],
      desk: this.desk,
      outbox: this.outbox,
      seq: this.seq,
    };
  }

  async load(contactId: string): Promise<ContactState | undefined> {
    return this.states.get(contactId);
  }

  /** The stored state of a contact, at once (no await). */
  stateOf(contactId: string): ContactState | undefined {
    return this.states.get(contactId);
  }

  /** The position of the last effect put in the outbox, at once (no await). */
  get outboxSeq(): number {
    return this.seq;
  }

  /** The routing state with its version, at once (no await). */
  deskNow(): { version: number; state: DeskState } {
    return this.desk;
  }

  /** Everything a step reads in one call: one await instead of four (simulations step millions of times). */
  async readStep(contactId: string, messageId: string | undefined, routing: boolean): Promise<StepRead> {
    return this.readStepNow(contactId, messageId, routing);
  }

  /** `readStep`, at once (no await). */
  readStepNow(contactId: string, messageId: string | undefined, routing: boolean): StepRead {
    if (messageId !== undefined && this.messages.has(messageId)) return { duplicate: true, state: undefined };
    const state = this.states.get(contactId);
    if (!routing) return { duplicate: false, state };
    return { duplicate: false, state, routing: { desk: this.desk, loads: this.loadsNow() } };
  }

  /** The rep loads as `repLoads` gives them, built again only after they changed; never changed once handed out. */
  private loadsNow(): Record<string, number> {
    if (this.loadsView === null) {
      // A rep's load is how many open handoffs are filed under them (a rep with none has no entry).
      const loads: [string, number][] = [];
      for (const [rep, open] of this.openOf.assignee) loads.push([rep, open.size]);
      this.loadsView = Object.fromEntries(loads) as Record<string, number>;
    }
    return this.loadsView;
  }

  private loadsView: Record<string, number> | null = null;

  async hasMessage(messageId: string): Promise<boolean> {
    return this.messages.has(messageId);
  }

  async commit(c: Commit): Promise<void> {
    this.applyCommit(c);
  }

  /**
   * Applies a commit at once (no await): a durable store built on this one numbers its journal record in
   * the same synchronous moment, so a snapshot taken between two awaits holds exactly the records before it.
   */
  applyCommit(c: Commit): void {
    const current = this.states.get(c.contactId);
    if ((current?.version ?? 0) !== c.expectedVersion) throw new ConflictError(c.contactId);
    if (c.messageId !== undefined && this.messages.has(c.messageId)) throw new DuplicateMessageError(c.messageId);
    if (c.desk && c.desk.expectedVersion !== this.desk.version) throw new DeskConflictError();
    if (c.forget) {
      this.forgetContact(c.contactId, current);
      if (c.messageId !== undefined) this.messages.set(c.messageId, c.at ?? null);
      return;
    }
    const { contact, instances, timers, handoffs } = c.state;
    const next: ContactState = { contact, instances, timers, handoffs, version: c.expectedVersion + 1 }; // a literal: V8 copies { ...state } slower
    if (next.timers !== current?.timers) this.indexTimers(current?.timers ?? [], next.timers);
    if (next.handoffs !== current?.handoffs) this.indexHandoffs(current?.handoffs ?? [], next.handoffs);
    if (c.desk) this.desk = { version: c.desk.expectedVersion + 1, state: c.desk.state };
    this.reports?.update(c.contactId, current, next);
    this.states.set(c.contactId, next);
    if (c.messageId !== undefined) this.messages.set(c.messageId, c.at ?? null);
    if (this.options.keepOutbox !== false)
      for (const effect of c.effects) this.outbox.push({ seq: ++this.seq, effect });
  }

  /** Removes a contact with its timers and handoffs. */
  private forgetContact(contactId: string, current: ContactState | undefined): void {
    if (!current) return;
    this.indexTimers(current.timers, []);
    this.indexHandoffs(current.handoffs ?? [], []);
    this.reports?.update(contactId, current, undefined);
    this.states.delete(contactId);
  }

  /**
   * Takes a contact out of the store with its timers and handoffs, and returns it: for a run that is done
   * with a contact and keeps only what it reports of it (a simulation of a large population, issue #17).
   */
  release(contactId: string): ContactState | undefined {
    const current = this.states.get(contactId);
    if (!current) return undefined;
    this.forgetContact(contactId, current);
    return current;
  }

  /**
   * Puts in a contact taken out of another store with `release` (a synthetic run hands a contact from a
   * worker to the thread that routes, issue #17), with its timers and handoffs; refused if the contact is here.
   */
  adopt(state: ContactState): void {
    const id = state.contact.id;
    if (this.states.has(id)) throw new ConflictError(id);
    this.indexTimers([], state.timers);
    this.indexHandoffs([], state.handoffs ?? []);
    this.reports?.update(id, undefined, state);
    this.states.set(id, state);
  }

  async forgetMessages(before: Millis): Promise<void> {
    for (const [id, at] of this.messages) if (at !== null && at < before) this.messages.delete(id);
  }

  private indexHandoffs(before: readonly HandoffRecord[], after: readonly HandoffRecord[]): void {
    // A record the contact no longer holds (the contact was forgotten) is gone from the lists too.
    for (const h of before) if (this.byId.get(h.id) === h && !after.some((x) => x.id === h.id)) this.byId.delete(h.id);
    for (const h of after) this.byId.set(h.id, h);
    const lists = this.lists;
    if (lists !== null) {
      // The lists hold what byId holds: a record another contact now holds under its id stays listed.
      for (const h of before) {
        if (after.includes(h)) continue;
        const now = this.byId.get(h.id);
        const moved = now === undefined || byDueThenAge(now, h) !== 0;
        if (moved || now.status !== h.status) lists[h.status].delete(h);
        if (waitsForRep(h) && (moved || !waitsForRep(now))) lists.unassigned.delete(h);
      }
      for (const h of after) {
        if (before.includes(h)) continue;
        lists[h.status].set(h);
        if (waitsForRep(h)) lists.unassigned.set(h);
      }
    }
    // Records are never changed in place: one the commit kept (the same object) stays where it is filed,
    // and the reps' loads stay as they were (most commits of an engaged contact change no handoff).
    for (const h of before) {
      if (h.status !== 'open' || after.includes(h)) continue;
      this.open.delete(h.id);
      if (h.assignee !== null) this.loadsView = null;
      unfile(this.openOf.assignee, h.assignee, h.id);
      unfile(this.openOf.queue, h.queue, h.id);
      if (h.assignee === null) this.unwait(h);
    }
    for (const h of after) {
      if (h.status !== 'open' || before.includes(h)) continue;
      this.open.set(h.id, h);
      if (h.assignee !== null) this.loadsView = null;
      file(this.openOf.assignee, h.assignee, h);
      file(this.openOf.queue, h.queue, h);
      if (h.assignee === null) this.wait(h);
    }
  }

  /** Takes a waiting handoff out of its queue's list. */
  private unwait(h: HandoffRecord): void {
    const list = this.waiting.get(h.queue);
    if (list?.delete(h) && list.size === 0) this.waiting.delete(h.queue);
  }

  /** Keeps a waiting handoff in its queue's list, by age. */
  private wait(h: HandoffRecord): void {
    let list = this.waiting.get(h.queue);
    if (list === undefined) this.waiting.set(h.queue, (list = new SortedList(byAge)));
    list.set(h);
  }

  async loadDesk(): Promise<{ version: number; state: DeskState }> {
    return this.desk;
  }

  async commitDesk(d: DeskCommit): Promise<void> {
    this.applyDesk(d);
  }

  /** Writes the routing state at once (no await); ConflictError if it moved on. */
  applyDesk(d: DeskCommit): void {
    if (d.expectedVersion !== this.desk.version) throw new DeskConflictError();
    this.desk = { version: d.expectedVersion + 1, state: d.state };
  }

  async openHandoffs(): Promise<HandoffRecord[]> {
    return [...this.open.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Counted over the open handoffs in memory: no copy and no sort of them. */
  async openHandoffCounts(): Promise<OpenHandoffCount[]> {
    return countOpenHandoffs(this.open.values());
  }

  async waitingHandoffs(q: WaitingQuery): Promise<HandoffRecord[]> {
    let out: HandoffRecord[] = [];
    for (const [queue, list] of this.waiting) {
      if (queue !== null && q.skipQueues?.includes(queue)) continue;
      const page = list.after(q.after, q.limit);
      out = out.length === 0 ? page : out.concat(page);
    }
    return this.waiting.size > 1 ? out.sort(byAge).slice(0, q.limit) : out;
  }

  async handoff(id: string): Promise<HandoffRecord | undefined> {
    return this.byId.get(id);
  }

  async handoffs(query: HandoffQuery): Promise<HandoffRecord[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const out: HandoffRecord[] = [];
    if (query.status === 'open' && (typeof query.assignee === 'string' || query.queue !== undefined)) {
      // A rep's or a queue's open work, filed apart: sorted as it is read.
      const among =
        typeof query.assignee === 'string'
          ? (this.openOf.assignee.get(query.assignee) ?? NO_HANDOFFS)
          : (this.openOf.queue.get(query.queue!) ?? NO_HANDOFFS);
      for (const h of among.values()) if (matchesQuery(h, query)) out.push(h);
      out.sort(byDueThenAge);
      return out.length > limit ? out.slice(0, limit) : out;
    }
    const lists = this.handoffLists();
    const walk =
      query.status === undefined
        ? merged(lists.open.walk(query.after), lists.closed.walk(query.after), byDueThenAge)
        : query.status === 'open' && query.assignee === null
          ? lists.unassigned.walk(query.after)
          : lists[query.status].walk(query.after);
    for (const h of walk) {
      if (out.length >= limit) break;
      if (matchesQuery(h, query)) out.push(h);
    }
    return out;
  }

  async lateHandoffCounts(now: Millis): Promise<Record<string, number>> {
    const late: Record<string, number> = Object.create(null);
    for (const [rep, open] of this.openOf.assignee) {
      let n = 0;
      for (const h of open.values()) if (isLate(h, now)) n++;
      if (n > 0) late[rep] = n;
    }
    return late;
  }

  /** The handoffs in list order, made from every handoff the first time a list needs them. */
  private handoffLists(): HandoffLists {
    if (this.lists === null) {
      const open: HandoffRecord[] = [];
      const closed: HandoffRecord[] = [];
      for (const h of this.byId.values()) (h.status === 'open' ? open : closed).push(h);
      this.lists = {
        open: SortedList.of(byDueThenAge, open),
        closed: SortedList.of(byDueThenAge, closed),
        unassigned: SortedList.of(byDueThenAge, open.filter(waitsForRep)),
      };
    }
    return this.lists;
  }

  async report(period: ReportPeriod): Promise<HandoffReport> {
    if (this.reports === null) return handoffReport(this.states.values(), period);
    return this.reports.report(period, (id) => this.states.get(id)?.instances ?? []);
  }

  async repLoads(): Promise<Record<string, number>> {
    return { ...this.loadsNow() };
  }

  private indexTimers(before: readonly TimerRecord[], after: readonly TimerRecord[]): void {
    for (const t of before) {
      if (!includesTimer(after, t.id)) {
        this.timers.delete(t.id);
        this.leases.delete(t.id);
      }
    }
    for (const t of after) {
      if (t.held) {
        this.timers.delete(t.id);
        this.leases.delete(t.id);
        continue;
      }
      if (this.timers.get(t.id) !== t) {
        this.timers.set(t.id, t);
        this.due.push(t);
      }
    }
    this.compactDue();
  }

  /**
   * The due heap drops a cancelled timer only when it comes up, which for a seven-day timeout is a week
   * away; under steady traffic it would hold far more dead timers than live ones. When the dead outnumber
   * the live, it is rebuilt from the live timers (amortised constant time per commit).
   */
  private compactDue(): void {
    if (this.due.size < MIN_COMPACT || this.due.size < 2 * this.timers.size) return;
    this.due.reset([...this.timers.values()]);
  }

  async claimDueTimers(r: ClaimRequest): Promise<TimerRecord[]> {
    return this.claimDueNow(r);
  }

  /** `claimDueTimers`, at once (no await). */
  claimDueNow(r: ClaimRequest): TimerRecord[] {
    const claimed: TimerRecord[] = [];
    // Leases that ran out go back into the heap first, so a dead owner's timers are not lost.
    for (const [id, lease] of this.leases) {
      const t = this.timers.get(id);
      if (lease.until <= r.now && t) {
        this.leases.delete(id);
        this.due.push(t);
      }
    }
    while (claimed.length < r.limit) {
      const top = this.due.peek();
      if (!top || top.dueAt > r.dueBy) break;
      this.due.pop();
      if (this.timers.get(top.id) !== top || this.leases.has(top.id)) continue; // deleted, replaced or leased
      this.leases.set(top.id, { owner: r.owner, until: r.leaseUntil });
      claimed.push(top);
    }
    return claimed;
  }

  async nextDueAt(): Promise<Millis | null> {
    return this.nextDueNow();
  }

  /** `nextDueAt`, at once (no await). */
  nextDueNow(): Millis | null {
    while (this.due.size > 0) {
      const top = this.due.peek()!;
      if (this.timers.get(top.id) === top && !this.leases.has(top.id)) return top.dueAt;
      this.due.pop();
    }
    return null;
  }

  async pruneOutbox(upTo: number): Promise<void> {
    const keep = this.outbox.findIndex((e) => e.seq > upTo);
    this.outbox.splice(0, keep < 0 ? this.outbox.length : keep);
  }

  async readOutbox(after: number, limit: number): Promise<OutboxEntry[]> {
    const start = this.outbox.findIndex((e) => e.seq > after);
    return start < 0 ? [] : this.outbox.slice(start, start + limit);
  }

  async contactIds(): Promise<string[]> {
    return [...this.states.keys()];
  }

  async contacts(): Promise<ContactState[]> {
    return [...this.states.values()];
  }

  async close(): Promise<void> {}
}
