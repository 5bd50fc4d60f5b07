import type { StepContext } from '../step/context.ts';
import type { IdSource } from '../step/draft.ts';
import type { Effect, JournalEntry } from '../state/effects.ts';
import type { ContactState } from '../state/records.ts';
import type { DeskState } from '../routing/desk.ts';

// What a runtime's steps give back and take: what applying an input did, a pure change of a contact, a
// batch of steps made durable together, and the ids a simulation numbers.

/** What applying one input did. */
export interface Applied {
  status: 'applied' | 'duplicate';
  contactId: string;
  effects: Effect[];
  journal: JournalEntry[];
}

/** A pure change of one contact's state, such as a step; `desk` when it moved the routing state. */
export type ContactChange = (
  state: ContactState,
  ctx: StepContext,
) => { state: ContactState; effects: Effect[]; journal: JournalEntry[]; desk?: DeskState | null; forget?: boolean };

/**
 * A human's action with the idempotency key of the message that asked for it: recorded in the same commit
 * as the change, so the same message applies once, however many copies arrive at once.
 */
export interface Idempotent {
  messageId?: string | undefined;
}

/** Listens to every committed step: for live views, reports and simulations. */
export type StepListener = (applied: Applied) => void;

/**
 * Steps applied now and made durable together: a Segment batch is applied event by event, each contact's
 * steps in order, and acknowledged after one durable write instead of one per event (with a store that
 * stages commits, lowdb; other stores write each commit as it is made). Made by `Runtime.writeBatch`.
 */
export class WriteBatch {
  private readonly staged: Applied[] = [];

  /** @internal */
  constructor(private readonly settle: (staged: readonly Applied[]) => Promise<void>) {}

  /** @internal */
  add(applied: Applied): void {
    this.staged.push(applied);
  }

  /** Writes every step applied through this batch durably (one write), then resolves; rejects if the write failed. */
  durable(): Promise<void> {
    return this.settle(this.staged.splice(0));
  }
}

/** Ids from a counter: deterministic, for simulations and tests. */
export function counterIds(): IdSource {
  let n = 0;
  return { next: (prefix) => `${prefix}_${(++n).toString(36).padStart(6, '0')}` };
}

/** What a duplicate message did: nothing. */
export const duplicate = (contactId: string): Applied => ({ status: 'duplicate', contactId, effects: [], journal: [] });
