import type { Effect } from '../state/effects.ts';
import type { ContactState, HandoffRecord, TimerRecord } from '../state/records.ts';
import type { DeskState } from '../routing/desk.ts';
import type { Millis } from '../model/time.ts';

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

/** An effect in the outbox, with its position. */
export interface OutboxEntry {
  seq: number;
  effect: Effect;
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
  /** Claims the earliest due timers (by due instant, then id) for one owner, under a lease. */
  claimDueTimers(request: ClaimRequest): Promise<TimerRecord[]>;
  /** The earliest due instant of any timer, or null when none is pending. */
  nextDueAt(): Promise<Millis | null>;
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
  /** Every open handoff, oldest first. */
  openHandoffs(): Promise<HandoffRecord[]>;
  /** A handoff by its id, open or closed (an indexed lookup, never a scan of the contacts). */
  handoff(id: string): Promise<HandoffRecord | undefined>;
  /** Open handoffs per assigned rep. */
  repLoads(): Promise<Record<string, number>>;
  /** The ids of every stored contact. */
  contactIds(): Promise<string[]>;
  /** Every stored contact's state, in the order `contactIds` gives (reports, handoff lists, simulation reports). */
  contacts(): Promise<ContactState[]>;
  close(): Promise<void>;
}
