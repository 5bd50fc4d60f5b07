import type { JourneyCatalog } from '../compile/catalog.ts';
import { ConflictError, DeskConflictError, DuplicateMessageError, HandoffDeferred } from '../model/errors.ts';
import type { Team } from '../model/team.ts';
import type { Millis } from '../model/time.ts';
import type { Workspace } from '../model/workspace.ts';
import { newContactState, type ContactState, type HandoffRecord } from '../state/records.ts';
import type { ActionHandler, StepContext } from '../step/context.ts';
import type { IdSource } from '../step/draft.ts';
import type { Commit, ImmediateStore, StepRead, Store } from '../store/store.ts';
import { type Applied, type ContactChange, duplicate, type StepListener, WriteBatch } from './applied.ts';

/** What every step is given besides its contact, read for each step (a runtime's team and workspace change at run time). */
export interface StepSettings {
  readonly catalog: JourneyCatalog;
  readonly workspace: Workspace;
  readonly team: Team | undefined;
}

/** How a `StepCommitter` steps and commits: the store, and what `RuntimeOptions` says of it. */
export interface CommitterOptions {
  store: Store;
  settings: StepSettings;
  ids: IdSource;
  handlers: Record<string, ActionHandler>;
  lazyHandoffContext: boolean;
  deferHandoffs: boolean;
  immediate: ImmediateStore | undefined;
  backoff: ((attempt: number) => Promise<void>) | undefined;
}

/**
 * Whether a step left a rep holding fewer open handoffs: one of theirs closed, or left them (rejected,
 * reassigned, escalated, or unassigned by an SLA breach whose escalation found nobody), or went with a
 * forgotten contact. Read from the handoffs, not from the step's events: a breach that leaves its handoff
 * waiting frees its rep too, and assigning waiting work frees nobody (an `Handoff Escalated` event there
 * marked a rep freed, which the next step of any contact then took, so when waiting work was assigned
 * depended on which contacts stepped in between: a population split between threads reported otherwise).
 */
export function freesARep(before: readonly HandoffRecord[], after: readonly HandoffRecord[]): boolean {
  if (before === after) return false;
  for (const h of before) {
    if (h.status !== 'open' || h.assignee === null) continue;
    const next = after.find((x) => x.id === h.id);
    if (next === undefined || next.status !== 'open' || next.assignee !== h.assignee) return true;
  }
  return false;
}

/** Attempts after the first when another writer got there first (desk races of this process take turns). */
export const MAX_RETRIES = 8;

const IDLE: Promise<unknown> = Promise.resolve();

/**
 * The runtime's commit path: each contact's changes one at a time (its lane), each read, stepped and
 * committed as one unit, retried when another writer got there first (desk races in turn, holding the
 * desk where the store can), and listeners told once a step is durable.
 */
export class StepCommitter {
  private readonly store: Store;
  private readonly settings: StepSettings;
  private readonly ids: IdSource;
  private readonly handlers: Record<string, ActionHandler>;
  private readonly lazyHandoffContext: boolean;
  private readonly deferHandoffs: boolean;
  /** Per contact with steps running or waiting: how many, and the last one's promise. */
  private readonly lanes = new Map<string, { size: number; last: Promise<unknown> }>();
  private readonly listeners = new Set<StepListener>();
  /** Whether the store stages commits (applied at once, made durable by a later write). */
  private readonly stages: boolean;
  /** The store, when it answers at once and does not stage (see RuntimeOptions.immediate). */
  readonly immediate: ImmediateStore | undefined;
  private readonly backoff: ((attempt: number) => Promise<void>) | undefined;
  /** Whether a retry after a lost desk race can hold the desk (`Store.stepHoldingDesk`, a store that does not stage). */
  private readonly holdsDesk: boolean;
  /** Whether a retry after a lost race for the contact can hold it (`Store.stepHoldingContact`). */
  private readonly holdsContact: boolean;
  private deskLane: Promise<unknown> = IDLE;
  private repFreed = false;

  constructor(options: CommitterOptions) {
    this.store = options.store;
    this.settings = options.settings;
    this.ids = options.ids;
    this.handlers = options.handlers;
    this.lazyHandoffContext = options.lazyHandoffContext;
    this.deferHandoffs = options.deferHandoffs;
    this.stages = options.store.stage !== undefined && options.store.durable !== undefined;
    if (options.immediate !== undefined && (options.immediate as unknown) !== options.store)
      throw new Error('RuntimeOptions.immediate must be the store itself');
    this.immediate = this.stages ? undefined : options.immediate;
    this.backoff = options.backoff;
    this.holdsDesk = options.store.stepHoldingDesk !== undefined && !this.stages;
    this.holdsContact = options.store.stepHoldingContact !== undefined && !this.stages;
  }

  /** Calls `listener` after every committed step; returns a function that stops it. */
  subscribe(listener: StepListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a step freed a rep since this was last asked (and forgets it). */
  takeRepFreed(): boolean {
    const freed = this.repFreed;
    this.repFreed = false;
    return freed;
  }

  /**
   * Reads, steps and commits at once, without a promise, when the store answers at once and the contact
   * has no step in flight; undefined when it cannot (use `inTurn`). Throws what `inTurn` would reject with.
   */
  now(contactId: string, now: Millis, change: ContactChange, messageId?: string): Applied | undefined {
    const store = this.immediate;
    if (store === undefined || this.lanes.has(contactId)) return undefined;
    const read = store.readStepNow(contactId, messageId, this.routes());
    if (read.duplicate) return duplicate(contactId);
    const { commit, result } = this.stepOn(read, contactId, now, messageId, change);
    store.applyCommit(commit);
    return this.committed(contactId, result, read.state);
  }

  /**
   * Commits a change to a contact after the contact's earlier ones, whether they succeeded or not: one at
   * a time per contact. The lane is entered here and left once the commit is applied (`commitWith`): with
   * a store that stages commits, the contact's next step need not wait for the disk, since writes are in
   * order. The promise resolves when the commit is durable, or with a `batch`, when it is applied.
   */
  inTurn(
    contactId: string,
    now: Millis,
    messageId: string | undefined,
    change: ContactChange,
    batch?: WriteBatch,
  ): Promise<Applied> {
    const lane = this.lanes.get(contactId);
    let applied: Promise<Applied>;
    if (lane !== undefined) {
      lane.size++;
      const run = () => this.commitWith(contactId, now, messageId, change);
      applied = lane.last.then(run, run);
      lane.last = applied;
    } else {
      const entered = { size: 1, last: IDLE };
      this.lanes.set(contactId, entered);
      applied = this.commitWith(contactId, now, messageId, change);
      entered.last = applied;
    }
    if (!this.stages) return applied; // committed durably, listeners told
    // Staged: applied (or a duplicate of a staged one), durable with the store's next write.
    return applied.then((a) => {
      if (batch === undefined) return this.store.durable!().then(() => this.settled(a));
      batch.add(a);
      return a;
    });
  }

  /** A batch of steps applied now, to be made durable together (see WriteBatch). */
  writeBatch(): WriteBatch {
    return new WriteBatch(async (staged) => {
      if (staged.length === 0) return;
      await this.store.durable!();
      for (const applied of staged) this.settled(applied);
    });
  }

  /** A step is durable: listeners hear of it. */
  private settled(applied: Applied): Applied {
    if (applied.status === 'applied') for (const listener of this.listeners) listener(applied);
    return applied;
  }

  private leave(contactId: string): void {
    const lane = this.lanes.get(contactId);
    if (lane !== undefined && --lane.size === 0) this.lanes.delete(contactId);
  }

  private async commitWith(
    contactId: string,
    now: Millis,
    messageId: string | undefined,
    step: ContactChange,
  ): Promise<Applied> {
    try {
      let serialized = false;
      let holdContact = false;
      for (let attempt = 0; ; attempt++) {
        try {
          if (serialized)
            return await this.inDeskLane(() =>
              this.holdsDesk
                ? this.attemptHolding(contactId, now, messageId, step, (made) =>
                    this.store.stepHoldingDesk!(contactId, messageId, made),
                  )
                : this.attempt(contactId, now, messageId, step),
            );
          if (holdContact)
            return await this.attemptHolding(contactId, now, messageId, step, (made) =>
              this.store.stepHoldingContact!(contactId, messageId, this.routes(), made),
            );
          return await this.attempt(contactId, now, messageId, step);
        } catch (err) {
          if (!(err instanceof ConflictError) || attempt >= MAX_RETRIES) throw err;
          // Steps of this process that race for the routing desk take turns from now on, so each retry
          // sees the desk the previous one left. A store shared by processes holds the desk for the retry,
          // so no other process gets in between either.
          if (err instanceof DeskConflictError && !serialized) serialized = true;
          // A contact's own steps take turns already, so any other conflict is another process's commit: a
          // store shared by processes holds the contact for the retry, so the others wait for it.
          else if (!serialized && !holdContact && this.holdsContact) holdContact = true;
          else await this.backoff?.(attempt + 1);
        }
      }
    } finally {
      this.leave(contactId);
    }
  }

  /** Runs one attempt after every other desk-serialized attempt of this process. */
  private inDeskLane<T>(attempt: () => Promise<T>): Promise<T> {
    const run = this.deskLane.then(attempt, attempt);
    this.deskLane = run.catch(() => undefined);
    return run;
  }

  /** Whether steps read the routing state: with a team, unless handoffs are deferred. */
  private routes(): boolean {
    return this.settings.team !== undefined && !this.deferHandoffs;
  }

  /** Everything a step reads: in one round trip where the store offers it (PostgreSQL), else call by call. */
  private async read(contactId: string, messageId: string | undefined): Promise<StepRead> {
    const routing = this.routes();
    if (this.store.readStep) return this.store.readStep(contactId, messageId, routing);
    if (messageId !== undefined && (await this.store.hasMessage(messageId)))
      return { duplicate: true, state: undefined };
    const state = await this.store.load(contactId);
    if (!routing) return { duplicate: false, state };
    const [desk, loads] = await Promise.all([this.store.loadDesk(), this.store.repLoads()]);
    return { duplicate: false, state, routing: { desk, loads } };
  }

  /** Loads the contact (and the desk), steps it and commits; throws ConflictError when another writer got there first. */
  private async attempt(
    contactId: string,
    now: Millis,
    messageId: string | undefined,
    step: ContactChange,
  ): Promise<Applied> {
    const read = await this.read(contactId, messageId);
    // With a staging store, a duplicate is answered once its original is durable (see inTurn).
    if (read.duplicate) return duplicate(contactId);
    const { commit, result } = this.stepOn(read, contactId, now, messageId, step);
    try {
      if (this.stages) this.store.stage!(commit);
      else await this.store.commit(commit);
    } catch (err) {
      if (err instanceof DuplicateMessageError) return duplicate(contactId);
      throw err;
    }
    return this.committed(contactId, result, read.state);
  }

  /**
   * `attempt` in one transaction of the store that holds the routing desk or the contact (`hold`:
   * `Store.stepHoldingDesk` or `stepHoldingContact`), stepping the contact on what that transaction read.
   */
  private async attemptHolding(
    contactId: string,
    now: Millis,
    messageId: string | undefined,
    step: ContactChange,
    hold: (made: (read: StepRead) => Commit) => Promise<'applied' | 'duplicate'>,
  ): Promise<Applied> {
    let result: ReturnType<ContactChange> | undefined;
    let before: ContactState | undefined;
    const status = await hold((read) => {
      const made = this.stepOn(read, contactId, now, messageId, step);
      result = made.result;
      before = read.state;
      return made.commit;
    });
    return status === 'duplicate' ? duplicate(contactId) : this.committed(contactId, result!, before);
  }

  /** Steps the contact a read found (a new one if none) and makes the commit of the result. */
  private stepOn(
    read: StepRead,
    contactId: string,
    now: Millis,
    messageId: string | undefined,
    step: ContactChange,
  ): { commit: Commit; result: ReturnType<ContactChange> } {
    const state = read.state ?? newContactState(contactId, now);
    const { catalog, workspace, team } = this.settings;
    const ctx: StepContext = {
      now,
      catalog,
      workspace,
      ids: this.ids,
      handlers: this.handlers,
      lazyHandoffContext: this.lazyHandoffContext,
    };
    if (this.deferHandoffs) ctx.deferHandoffs = true;
    let deskVersion = 0;
    if (team && read.routing) {
      deskVersion = read.routing.desk.version;
      ctx.team = team;
      ctx.routing = { desk: read.routing.desk.state, loads: read.routing.loads };
    }
    const result = step(state, ctx);
    if (this.deferHandoffs && setsTimerDueBy(state, result.state, now)) throw HandoffDeferred.instance;
    const commit: Commit = { contactId, expectedVersion: state.version, state: result.state, effects: result.effects };
    if (messageId !== undefined) {
      commit.messageId = messageId;
      commit.at = now;
    }
    if (result.forget) commit.forget = true;
    if (result.desk) commit.desk = { expectedVersion: deskVersion, state: result.desk };
    return { commit, result };
  }

  /** What a committed step did: a freed rep noted, listeners told (once durable, with a staging store). */
  private committed(contactId: string, result: ReturnType<ContactChange>, before: ContactState | undefined): Applied {
    if (this.settings.team && before !== undefined && freesARep(before.handoffs, result.state.handoffs))
      this.repFreed = true;
    const applied: Applied = { status: 'applied', contactId, effects: result.effects, journal: result.journal };
    // A staged step's listeners hear of it once it is durable (inTurn, WriteBatch).
    return this.stages ? applied : this.settled(applied);
  }
}

/**
 * Whether a step set a timer due at or before its own instant (a wait of `PT0S`). Such a timer fires within
 * the instant, and may hand off there, so a runtime that defers handoffs defers the step that set it too:
 * where the instant's inputs of other contacts come around it is for the runtime that routes to order.
 */
function setsTimerDueBy(before: ContactState, after: ContactState, now: Millis): boolean {
  if (after.timers === before.timers) return false;
  for (const t of after.timers) if (t.dueAt <= now && !before.timers.includes(t)) return true;
  return false;
}
