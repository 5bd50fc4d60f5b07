import type { Effect } from '../state/effects.ts';
import type { ContactState, HandoffRecord, TimerRecord } from '../state/records.ts';
import type { DeskState } from '../routing/desk.ts';
import type { Millis } from '../model/time.ts';
import type { HandoffReport, ReportPeriod } from '../reports/handoffReport.ts';

/** One unit of work: a contact's next state and its effects, written together or not at all. */
export interface Commit {
  contactId: string;
  /** The version the step read (0 for a contact not yet stored); the store refuses the commit if it moved on. */
  expectedVersion: number;
  state: ContactState;
  /** The idempotency key of the event applied, recorded in the same unit. */
  messageId?: string;
  /** When the commit was made (the runtime's now): a messageId is remembered with it, and forgotten after the window. */
  at?: Millis;
  /** Removes the contact with its timers and handoffs instead of writing `state` (an anonymous profile forgotten, SPEC §7). */
  forget?: boolean;
  /** Effects to deliver (the outbox), stored with the state so none is lost or sent for a state that was not kept. */
  effects: Effect[];
  /** The routing state, when the step changed it (a queue cursor moved): written in the same unit. */
  desk?: DeskCommit;
}

/** A change of the shared routing state, refused if another writer changed it first. */
export interface DeskCommit {
  expectedVersion: number;
  state: DeskState;
}

/** How a process claims due timers so that two processes never fire the same one. */
export interface ClaimRequest {
  /** Who claims: a process id. */
  owner: string;
  /** Claim timers due at or before this instant. */
  dueBy: Millis;
  limit: number;
  /** The current instant: leases that ended before it may be claimed again. */
  now: Millis;
  /** Until when the claim holds; if the owner dies, another may claim after it. */
  leaseUntil: Millis;
}

/** What a step reads before it runs. */
export interface StepRead {
  /** The event's messageId was applied already: nothing else was read. */
  duplicate: boolean;
  state: ContactState | undefined;
  routing?: { desk: { version: number; state: DeskState }; loads: Record<string, number> };
}

/** Which handoffs a list asks for; every field narrows it. */
export interface HandoffQuery {
  status?: 'open' | 'closed' | undefined;
  /** A rep's id, or null for handoffs waiting unassigned. */
  assignee?: string | null | undefined;
  queue?: string | undefined;
  journey?: string | undefined;
  breached?: boolean | undefined;
  /** At most this many (the soonest due). */
  limit?: number | undefined;
  /** Only those after this one in the list's order (`byDueThenAge`): the last of the previous page. */
  after?: HandoffKey | undefined;
}

/** A handoff's place in a list of handoffs (`byDueThenAge`): soonest due first, then oldest, then by id. */
export type HandoffKey = Pick<HandoffRecord, 'dueAt' | 'createdAt' | 'id'>;

/** A count of open handoffs: those of one queue (null: none), held by a rep or waiting. */
export interface OpenHandoffCount {
  queue: string | null;
  assigned: boolean;
  n: number;
}

/** The open handoffs counted as `Store.openHandoffCounts` counts them, in no particular order. */
export function countOpenHandoffs(open: Iterable<HandoffRecord>): OpenHandoffCount[] {
  const counts = new Map<string, OpenHandoffCount>();
  for (const h of open) {
    const assigned = h.assignee !== null;
    // (A queue id is any string: the key keeps null apart from a queue named "null".)
    const key = `${assigned ? 'y' : 'n'}${h.queue === null ? '' : `:${h.queue}`}`;
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { queue: h.queue, assigned, n: 1 });
  }
  return [...counts.values()];
}

/** The order of every handoff list: soonest due first, those with no deadline last, then oldest, then by id. */
export function byDueThenAge(a: HandoffKey, b: HandoffKey): number {
  return (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.createdAt - b.createdAt || compareIds(a.id, b.id);
}

/**
 * Ids in code point order, as PostgreSQL orders them `COLLATE "C"` (UTF-8 bytes), so a page's last id
 * means the same place in every store. JavaScript's `<` compares UTF-16 units, which puts a character
 * past U+FFFF (a surrogate pair) before U+E000–U+FFFF.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

/** A UTF-16 unit from U+D800 up, ranked as the code points it starts: surrogates after U+E000–U+FFFF. */
const codePointRank = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

/**
 * Whether an open handoff is late at `now`: not accepted, and its SLA breached or its due passed. One
 * accepted after its breach is someone's work again (the inbox shows it "accepted"); reports still count
 * the breach.
 */
export function isLate(h: HandoffRecord, now: Millis): boolean {
  return h.acceptedAt === null && (h.breached || (h.dueAt !== null && h.dueAt < now));
}

/** Whether a handoff is one a query asks for. */
export function matchesQuery(h: HandoffRecord, q: HandoffQuery): boolean {
  return (
    (q.status === undefined || h.status === q.status) &&
    (q.assignee === undefined || h.assignee === q.assignee) &&
    (q.queue === undefined || h.queue === q.queue) &&
    (q.journey === undefined || h.journeyId === q.journey) &&
    (q.breached === undefined || h.breached === q.breached) &&
    (q.after === undefined || byDueThenAge(h, q.after) > 0)
  );
}

/** A page of the handoffs waiting unassigned, oldest first (created, then id). */
export interface WaitingQuery {
  /** At most this many. */
  limit: number;
  /** Only those after this one in that order: the last of the previous page. */
  after?: { createdAt: Millis; id: string } | undefined;
  /** Leave out the handoffs waiting in these queues (those waiting with no queue are always read). */
  skipQueues?: readonly string[] | undefined;
}

/** The order of waiting handoffs: oldest first, then by id (in code point order, as PostgreSQL's "C" collation). */
export function byAge(a: { createdAt: Millis; id: string }, b: { createdAt: Millis; id: string }): number {
  return a.createdAt - b.createdAt || compareIds(a.id, b.id);
}

/** An effect in the outbox, with its position. */
export interface OutboxEntry {
  seq: number;
  effect: Effect;
}

/**
 * A store that answers at once, in memory (the memory store of a simulation): the runtime can step a
 * contact without a promise per read and commit (issue #17: promises were a third of what a population
 * run allocated). Each method does what its asynchronous `Store` counterpart does.
 */
export interface ImmediateStore {
  /** `Store.readStep`, at once. */
  readStepNow(contactId: string, messageId: string | undefined, routing: boolean): StepRead;
  /** `Store.commit`, at once. */
  applyCommit(commit: Commit): void;
  /** `Store.claimDueTimers`, at once. */
  claimDueNow(request: ClaimRequest): TimerRecord[];
  /** `Store.nextDueAt`, at once. */
  nextDueNow(): Millis | null;
}

/**
 * Where the engine keeps its runtime state. Implementations: memory (tests, simulation, browser),
 * lowdb (the default server store) and PostgreSQL (several processes). Every one passes the contract suite.
 */
export interface Store {
  /** The stored state of a contact, or undefined. */
  load(contactId: string): Promise<ContactState | undefined>;
  /** Whether an event with this messageId was already applied. */
  hasMessage(messageId: string): Promise<boolean>;
  /**
   * Forgets the messageIds committed before `before` (SPEC §7: remembered for a window, then forgotten, so
   * the store stays bounded). Ids committed without an instant are kept.
   */
  forgetMessages(before: Millis): Promise<void>;
  /** Applies a commit (contact, effects, messageId, desk) atomically; throws ConflictError or DuplicateMessageError and then changes nothing. */
  commit(commit: Commit): Promise<void>;
  /**
   * Optional, for a store that holds its state in memory and makes it durable by appending to a log
   * (lowdb): applies a commit at once, where every later read sees it, refusing it as `commit` does, and
   * leaves its durable write to `durable()`. A contact's next step then starts without waiting for the
   * disk, and a batch's commits share one write. Writes are in order: a commit is durable once every
   * commit staged before it is.
   */
  stage?(commit: Commit): void;
  /** With `stage`: resolves once every commit staged so far is durable (rejects if their write failed). */
  durable?(): Promise<void>;
  /** Claims the earliest due timers (by due instant, then id) for one owner, under a lease. */
  claimDueTimers(request: ClaimRequest): Promise<TimerRecord[]>;
  /**
   * The earliest due instant of any timer not claimed, or null when none is pending. With `now`, a timer
   * whose claim's lease ran out by then counts as not claimed: its owner died without firing it (the
   * overdue gauge must see it). Stores that one process owns hold no lease of a dead process and may
   * ignore `now`.
   */
  nextDueAt(now?: Millis): Promise<Millis | null>;
  /** Effects after position `after`, oldest first. */
  readOutbox(after: number, limit: number): Promise<OutboxEntry[]>;
  /**
   * Forgets the effects at or before position `upTo`, once whoever reads the outbox has recorded that it
   * is past them (the webhook worker's cursor). Positions keep growing: a later effect never reuses one.
   */
  pruneOutbox(upTo: number): Promise<void>;
  /** The routing state shared by every contact, with its version (0 and empty when never written). */
  loadDesk(): Promise<{ version: number; state: DeskState }>;
  /** Writes the routing state alone (a rep made inactive); ConflictError if it moved on. */
  commitDesk(desk: DeskCommit): Promise<void>;
  /**
   * Optional, for a store several processes share (PostgreSQL): changes the routing state alone in one
   * transaction that holds the desk, so a rep made inactive (or given another capacity) takes effect
   * however busy routing is, instead of losing every race for the desk's version.
   */
  changeDeskHolding?(change: (state: DeskState) => DeskState): Promise<void>;
  /** Every open handoff, oldest first. */
  openHandoffs(): Promise<HandoffRecord[]>;
  /**
   * Optional: how many handoffs are open, per queue (null: routed straight to a rep) and whether a rep
   * holds them, for the metrics' gauge, without reading each one (the memory and PostgreSQL stores count
   * them). Without it, `countOpenHandoffs(await store.openHandoffs())`.
   */
  openHandoffCounts?(): Promise<OpenHandoffCount[]>;
  /**
   * Optional: how many of each rep's open handoffs are late at `now` (`isLate`), counted without sending
   * each one (the memory and PostgreSQL stores count them); a rep with none may be left out. Without it,
   * each rep's open handoffs are listed and counted.
   */
  lateHandoffCounts?(now: Millis): Promise<Record<string, number>>;
  /** A handoff by its id, open or closed (an indexed lookup, never a scan of the contacts). */
  handoff(id: string): Promise<HandoffRecord | undefined>;
  /**
   * Everything a step reads, in one go: whether `messageId` was applied, the contact's state and, with
   * `routing`, the desk and the rep loads. Optional: a store whose every call is a round trip (PostgreSQL)
   * offers it; otherwise the runtime calls hasMessage, load, loadDesk and repLoads.
   */
  readStep?(contactId: string, messageId: string | undefined, routing: boolean): Promise<StepRead>;
  /**
   * Optional, for a store several processes share (PostgreSQL): reads what a step needs (as `readStep`
   * with routing) and commits what `step` makes of it in one transaction that holds the routing desk, so
   * no other process's commit can get in between, and processes waiting for the desk take it in turn. The
   * runtime uses it for a step that lost the race for the desk. Resolves 'duplicate' without calling `step`
   * when the message was applied already; refuses as `commit` does, changing nothing.
   */
  stepHoldingDesk?(
    contactId: string,
    messageId: string | undefined,
    step: (read: StepRead) => Commit,
  ): Promise<'applied' | 'duplicate'>;
  /**
   * Optional, as `stepHoldingDesk`, holding the contact instead (its routing read with it when `routing`):
   * the runtime uses it for a step that lost its contact to another process's commit, so other processes'
   * commits of the contact wait for it instead of winning every race.
   */
  stepHoldingContact?(
    contactId: string,
    messageId: string | undefined,
    routing: boolean,
    step: (read: StepRead) => Commit,
  ): Promise<'applied' | 'duplicate'>;
  /** The handoffs a query asks for, soonest due first (those with no deadline last), then oldest: the inbox and lists. */
  handoffs(query: HandoffQuery): Promise<HandoffRecord[]>;
  /** The closed-loop report of a period (SPEC §1, Improve), computed where the data is. */
  report(period: ReportPeriod): Promise<HandoffReport>;
  /**
   * Open handoffs waiting unassigned, oldest first, a page at a time (assigning them when a rep frees up):
   * read from an index kept per queue, never by walking every open handoff.
   */
  waitingHandoffs(query: WaitingQuery): Promise<HandoffRecord[]>;
  /** Open handoffs per assigned rep. */
  repLoads(): Promise<Record<string, number>>;
  /** The ids of every stored contact. */
  contactIds(): Promise<string[]>;
  /** Every stored contact's state, in the order `contactIds` gives (reports, handoff lists, simulation reports). */
  contacts(): Promise<ContactState[]>;
  close(): Promise<void>;
}
