import type { HistoryEvent } from '../conditions/env.ts';
import type { Millis } from '../model/time.ts';

/** A contact: traits and the events seen, oldest first. `version` grows with every commit. */
export interface ContactRecord {
  id: string;
  traits: Record<string, unknown>;
  history: HistoryEvent[];
  createdAt: Millis;
  updatedAt: Millis;
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
}

export type TimerKind = 'wait' | 'timeout' | 'expire';

/** A durable timer: a row with a due instant, fired by the runtime, never an XState `after`. */
export interface TimerRecord {
  id: string;
  contactId: string;
  journeyId: string;
  run: number;
  node: string;
  timer: TimerKind;
  dueAt: Millis;
}

/** Everything the engine keeps about one contact; the unit that a step reads and writes. */
export interface ContactState {
  contact: ContactRecord;
  instances: InstanceRecord[];
  timers: TimerRecord[];
  /** Bumped by every commit; the store refuses a commit built on an older version. */
  version: number;
}
