import type { HistoryEvent, Timeline } from '../conditions/timeline.ts';
import type { Millis } from '../model/time.ts';

/** A contact: traits and the events seen, oldest first, as a timeline (`history`, then `recent`). */
export interface ContactRecord extends Timeline {
  id: string;
  traits: Record<string, unknown>;
  createdAt: Millis;
  updatedAt: Millis;
  /** An anonymous profile (SPEC §7): calls with only this anonymousId; it enters no journey. */
  anonymous?: true;
  /** The contact an anonymous profile was linked to: its events moved there, later anonymous calls go there. */
  linkedTo?: string;
  /** The anonymous profiles merged into this contact, by anonymousId (each is merged once). */
  merged?: string[];
}

/** A message an action sent, or held back while a human was engaged. */
export interface MessageRecord {
  node: string;
  action: 'email' | 'sms';
  at: Millis;
  suppressed: boolean;
}

/** Why the contact went the way it did at a branch: the path taken and the conditions that held. */
export interface DecisionRecord {
  node: string;
  label: string;
  reasons: string[];
  at: Millis;
}

export type InstanceStatus = 'active' | 'paused' | 'exited';

/** A contact's run through one journey: data, never a live actor. Only the latest run is kept. */
export interface InstanceRecord {
  journeyId: string;
  /** The journey version this run is pinned to. */
  version: number;
  run: number;
  status: InstanceStatus;
  /** XState's persisted snapshot of the journey machine. */
  snapshot: unknown;
  node: string | null;
  path: string[];
  messages: MessageRecord[];
  decisions: DecisionRecord[];
  enteredAt: Millis;
  exitedAt: Millis | null;
  outcome: string | null;
  /** When a human's work paused this run (whileHumanEngaged: pause), else absent. */
  pausedAt?: Millis;
  /** When the run entered its current node (a migration keeps a wait's or pause's clock from it, SPEC §10). */
  nodeAt?: Millis;
}

/**
 * wait, pause timeout and handoff expiry belong to the journey machine; sla and assign to a handoff;
 * forget to an anonymous profile, forgotten when it falls due unseen.
 */
export type TimerKind = 'wait' | 'timeout' | 'expire' | 'sla' | 'assign' | 'forget';

/** A durable timer: a row with a due instant, fired by the runtime, never an XState `after`. */
export interface TimerRecord {
  id: string;
  contactId: string;
  journeyId: string;
  run: number;
  node: string;
  timer: TimerKind;
  dueAt: Millis;
  /** The handoff an sla or assign timer belongs to. */
  handoffId?: string;
  /** A timer that fell due while its journey was paused by a human's work; it fires when the journey resumes. */
  held?: boolean;
}

/** What the rep sees: the story so far (SPEC §5, "the record a human sees"). */
export interface HandoffContext {
  traits: Record<string, unknown>;
  scores: Record<string, number>;
  timeline: HistoryEvent[];
  path: string[];
  messages: MessageRecord[];
  talkTrack: string | null;
  nextBestActions: string[];
}

/** A handoff: the record a human works, routed, with its SLA clock and its life cycle. */
export interface HandoffRecord {
  id: string;
  contactId: string;
  journeyId: string;
  version: number;
  run: number;
  node: string;
  team: 'sales' | 'service';
  record: string;
  title: string;
  priority: string;
  status: 'open' | 'closed';
  queue: string | null;
  assignee: string | null;
  createdAt: Millis;
  assignedAt: Millis | null;
  dueAt: Millis | null;
  acceptedAt: Millis | null;
  breached: boolean;
  /** The escalation assignee, once the SLA breached and the escalation target was routed. */
  escalatedTo: string | null;
  /** Waiting to be assigned to the escalation target. */
  escalating: boolean;
  outcome: string | null;
  closedAt: Millis | null;
  /** Revenue or other value logged with the outcome. */
  value: number | null;
  outcomes: string[];
  rejectedBy: { rep: string; reason: string | null; at: Millis }[];
  /** Whether it ever waited unassigned. */
  wasUnassigned: boolean;
  /** Every routing decision in words. */
  trace: string[];
  /** The conditions that held on the way, in words. */
  why: string[];
  context: HandoffContext;
}

/** Everything the engine keeps about one contact; the unit that a step reads and writes. */
export interface ContactState {
  contact: ContactRecord;
  instances: InstanceRecord[];
  timers: TimerRecord[];
  /** The contact's handoffs, open and closed. */
  handoffs: HandoffRecord[];
  /** Bumped by every commit; the store refuses a commit built on an older version. */
  version: number;
}

/** Identify is also an event on the timeline, so journeys can trigger on it. */
export const CONTACT_UPDATED = 'Contact Updated';

/** A new contact, as first seen. */
export function newContactState(id: string, now: Millis, traits: Record<string, unknown> = {}): ContactState {
  return {
    contact: { id, traits, history: [], recent: [], createdAt: now, updatedAt: now },
    instances: [],
    timers: [],
    handoffs: [],
    version: 0,
  };
}
