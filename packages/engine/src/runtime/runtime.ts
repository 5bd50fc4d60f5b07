import { own } from '../model/dictionary.ts';
import { InboundEvent, plainTrack } from '../model/event.ts';
import type { Clock, Millis } from '../model/time.ts';
import { durationMillis, parseInstant } from '../model/time.ts';
import { Workspace } from '../model/workspace.ts';
import type { ImmediateStore, Store } from '../store/store.ts';
import { parseInput } from '../validate/issues.ts';
import { actionHandlers } from './actions.ts';
import type { ActionHandler, HandoffRef, HumanAction, StepInput } from '../step/context.ts';
import type { JourneyCatalog } from '../compile/catalog.ts';
import type { IdSource } from '../step/draft.ts';
import type { Team } from '../model/team.ts';
import { BatonError, ConflictError } from '../model/errors.ts';
import type { HandoffRecord, TimerRecord } from '../state/records.ts';
import type { DeskState } from '../routing/desk.ts';
import { stepContact } from './step.ts';
import { unavailability } from '../routing/availability.ts';
import { forgetProfile, identified, linkedProfile, mergeProfile, pointerTo, recordAnonymous } from './identity.ts';
import { MAX_RETRIES, StepCommitter } from './committer.ts';
import {
  type Applied,
  type ContactChange,
  counterIds,
  type Idempotent,
  type StepListener,
  type WriteBatch,
} from './applied.ts';

/** What the runtime needs: a store, a clock, the journeys, and optionally workspace, ids and extensions. */
export interface RuntimeOptions {
  store: Store;
  clock: Clock;
  catalog: JourneyCatalog;
  workspace?: Workspace;
  ids?: IdSource;
  /** This process's name when claiming timers. */
  owner?: string;
  /** How long a timer claim holds before another process may take it over. */
  leaseMs?: number;
  /** The reps, queues and calendars handoffs are routed to. */
  team?: Team;
  /** More action handlers. */
  handlers?: Record<string, ActionHandler>;
  /** How long an anonymous profile never linked to a contact is kept after it was last seen (SPEC §7; default P30D). */
  anonymousTtl?: string;
  /** How long a messageId is remembered (SPEC §7: at least 7 days; default P7D). */
  messageWindow?: string;
  /**
   * The same store as `store`, when it answers at once and does nothing more on a commit than
   * `applyCommit` (the memory store of a simulation, or of `createEngine`): `apply` (so `ingest` and timers),
   * `applyNow` and `advance` then step without awaiting it when the contact has no step in flight.
   */
  immediate?: ImmediateStore;
  /**
   * Waits before retry `attempt` (1, 2, …) of a commit that another process beat. Processes sharing a
   * store pass a growing, jittered pause, so two that collided do not collide again at once; by default a
   * retry runs at once (one process, whose own races take turns instead).
   */
  backoff?: (attempt: number) => Promise<void>;
  /**
   * Build a handoff's context (a copy of the timeline and every score) when it is first read, not when the
   * handoff is created: a simulation, whose report never reads it (issue #17). Same values either way.
   */
  lazyHandoffContext?: boolean;
  /**
   * A step that would create a handoff, or that sets a timer due at once (which may hand off within the
   * instant), throws `HandoffDeferred` instead, and commits nothing; steps read no routing state. For a
   * synthetic run's partition, which hands such contacts to the thread that routes.
   */
  deferHandoffs?: boolean;
}

/** How many waiting handoffs `assignWaitingHandoffs` reads from the store at a time. */
const WAITING_PAGE = 64;

/** How often `assignStranded` runs a pass while work waits, whatever the loads did. */
const STRANDED_SWEEP_MS = 60_000;

/** Settles a promise kept only to be waited for. */
const ignore = (): void => undefined;

/**
 * The runtime around the pure step: loads a contact, steps it, and commits the next state with its effects
 * in one unit (the `StepCommitter`: steps of one contact one at a time, retried when another writer got
 * there first). Timers are rows claimed from the store; a step that frees a rep assigns waiting handoffs.
 */
export class Runtime {
  readonly store: Store;
  readonly clock: Clock;
  readonly catalog: JourneyCatalog;
  workspace: Workspace;
  team: Team | undefined;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly anonymousTtlMs: Millis;
  private readonly messageWindowMs: Millis;
  private readonly backoff: ((attempt: number) => Promise<void>) | undefined;
  /** Each contact's lane, the commit, its retries, and the listeners. */
  private readonly commits: StepCommitter;

  constructor(options: RuntimeOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.catalog = options.catalog;
    this.workspace = options.workspace ?? Workspace.parse({});
    this.team = options.team;
    this.owner = options.owner ?? 'runtime';
    this.leaseMs = options.leaseMs ?? 60_000;
    this.anonymousTtlMs = durationMillis(options.anonymousTtl ?? 'P30D');
    this.messageWindowMs = durationMillis(options.messageWindow ?? 'P7D');
    this.backoff = options.backoff;
    this.commits = new StepCommitter({
      store: options.store,
      settings: this,
      ids: options.ids ?? counterIds(),
      handlers: actionHandlers(options.handlers),
      lazyHandoffContext: options.lazyHandoffContext ?? false,
      deferHandoffs: options.deferHandoffs ?? false,
      immediate: options.immediate,
      backoff: options.backoff,
    });
  }

  /** Calls `listener` after every committed step; returns a function that stops it. */
  subscribe(listener: StepListener): () => void {
    return this.commits.subscribe(listener);
  }

  /** A batch of steps applied now, to be made durable together (see WriteBatch). */
  writeBatch(): WriteBatch {
    return this.commits.writeBatch();
  }

  /** Validates and applies a Segment track or identify event. The same messageId twice is applied once. */
  ingest(raw: unknown): Promise<Applied> {
    let e: InboundEvent;
    try {
      e = plainTrack(raw) ?? parseInput(InboundEvent, raw, 'event');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.ingestEvent(e);
  }

  /**
   * Applies an event that has already been validated against `InboundEvent` (the server's intake checks
   * every call of a batch before it applies any, and need not check them twice).
   */
  ingestEvent(e: InboundEvent, batch?: WriteBatch): Promise<Applied> {
    const now = this.clock.now();
    const at = e.timestamp ? parseInstant(e.timestamp) : now;
    const input: StepInput & { kind: 'track' | 'identify' } =
      e.type === 'track'
        ? { kind: 'track', name: e.event, properties: e.properties, at }
        : { kind: 'identify', traits: e.traits, at };
    const { userId, anonymousId } = e;
    if (userId === undefined)
      return this.inOrder([anonymousId!], () => this.applyAnonymous(anonymousId!, input, now, e.messageId, batch));
    if (anonymousId === undefined || anonymousId === userId) {
      if (!this.entering.has(userId)) return this.apply(userId, input, now, e.messageId, batch);
      return this.inOrder([userId], async () => ({ applied: this.apply(userId, input, now, e.messageId, batch) }));
    }
    return this.inOrder([userId, anonymousId], async () => {
      await this.link(anonymousId, userId, now, batch);
      return { applied: this.apply(userId, input, now, e.messageId, batch) };
    });
  }

  /**
   * The calls that read the store before they know which lane their step takes (a call carrying both ids
   * links first; an anonymous-only call reads where its id points), by the contact ids they name: a lane
   * keeps a contact's steps in order only from the moment each enters it, and reads that come back in any
   * order (PostgreSQL answers on several connections) would let a later call in first (SPEC §9: events
   * for one contact are applied in the order they were received).
   */
  private readonly entering = new Map<string, Promise<void>>();

  /**
   * Runs `enter` after the calls before it that name any of `ids` have entered their lanes, and answers
   * what its step does. `enter` resolves once its step is in its lane, with the step's outcome to come.
   */
  private inOrder(ids: readonly string[], enter: () => Promise<{ applied: Promise<Applied> }>): Promise<Applied> {
    const before: Promise<void>[] = [];
    for (const id of ids) {
      const pending = this.entering.get(id);
      if (pending !== undefined) before.push(pending);
    }
    const entered = before.length === 0 ? enter() : Promise.all(before).then(enter);
    const done = entered.then(ignore, ignore);
    for (const id of ids) this.entering.set(id, done);
    void done.then(() => {
      for (const id of ids) if (this.entering.get(id) === done) this.entering.delete(id);
    });
    return entered.then((e) => e.applied);
  }

  /**
   * A call with only an anonymousId: kept on the anonymous profile (no journey sees it), or applied to the
   * contact the profile was linked to, or to the contact whose userId it is.
   */
  private async applyAnonymous(
    anonymousId: string,
    input: StepInput & { kind: 'track' | 'identify' },
    now: Millis,
    messageId: string | undefined,
    batch: WriteBatch | undefined,
  ): Promise<{ applied: Promise<Applied> }> {
    const stored = await this.store.load(anonymousId);
    if (stored?.contact.linkedTo !== undefined)
      return { applied: this.apply(stored.contact.linkedTo, input, now, messageId, batch) };
    if (stored && !stored.contact.anonymous) return { applied: this.apply(anonymousId, input, now, messageId, batch) };
    return {
      applied: this.commits.inTurn(anonymousId, now, messageId, recordAnonymous(input, this.anonymousTtlMs), batch),
    };
  }

  /**
   * Links an anonymousId to a contact (identify, alias, or any call carrying both; SPEC §7): the anonymous
   * profile's events join the contact's timeline in time order, as history, and its traits fill the
   * contact's missing ones; the profile then points at the contact. Linking twice changes nothing.
   */
  async link(anonymousId: string, userId: string, now: Millis = this.clock.now(), batch?: WriteBatch): Promise<void> {
    if (anonymousId === userId) return;
    const profile = await this.store.load(anonymousId);
    if (profile === undefined) {
      // Linked before the anonymousId's first call: its later calls reach the contact all the same.
      await this.commits.inTurn(anonymousId, now, undefined, pointerTo(userId, this.anonymousTtlMs), batch);
      return;
    }
    if (!profile.contact.anonymous || profile.contact.linkedTo !== undefined) return;
    await this.commits.inTurn(userId, now, undefined, mergeProfile(profile.contact), batch);
    await this.commits.inTurn(anonymousId, now, undefined, linkedProfile(userId, this.anonymousTtlMs), batch);
  }

  /**
   * An identity call (Segment's alias, with `previousId` as the anonymousId, or a group call; SPEC §7): the
   * contact `userId` is created on first sight, and `anonymousId`, when given, is linked to it as `link`
   * links it. The same messageId twice is applied once (the link, which changes nothing twice, is made again).
   */
  identity(userId: string, anonymousId: string | undefined, messageId?: string, batch?: WriteBatch): Promise<Applied> {
    const ids = anonymousId === undefined || anonymousId === userId ? [userId] : [userId, anonymousId];
    // Its reads and both its commits before the next call of these ids (an identity call is rare).
    return this.inOrder(ids, async () => ({
      applied: Promise.resolve(await this.identityNow(userId, anonymousId, messageId, batch)),
    }));
  }

  private async identityNow(
    userId: string,
    anonymousId: string | undefined,
    messageId: string | undefined,
    batch: WriteBatch | undefined,
  ): Promise<Applied> {
    const now = this.clock.now();
    const applied = await this.commits.inTurn(userId, now, messageId, identified, batch);
    // Linked even when the call is a duplicate: a sender's retry after a link's commit failed finds the
    // messageId used, and would otherwise never link (a link changes nothing twice).
    if (anonymousId !== undefined) await this.link(anonymousId, userId, now, batch);
    return applied;
  }

  /** Forgets the messageIds applied more than the window ago (SPEC §7), so the store stays bounded. */
  forgetMessages(now: Millis = this.clock.now()): Promise<void> {
    return this.store.forgetMessages(now - this.messageWindowMs);
  }

  /** Fires every timer due at or before `until` (default: now), each at its own instant, in due order. */
  async advance(until: Millis = this.clock.now(), batch = 1): Promise<number> {
    let fired = 0;
    for (;;) {
      const now = this.clock.now();
      const claim = { owner: this.owner, dueBy: until, limit: batch, now, leaseUntil: now + this.leaseMs };
      const immediate = this.commits.immediate;
      const due = immediate ? immediate.claimDueNow(claim) : await this.store.claimDueTimers(claim);
      if (due.length === 0) return fired;
      for (const timer of due) {
        if (timer.timer === 'forget') await this.fire(timer);
        else {
          const firing = this.applySoon(timer.contactId, { kind: 'timer', timer }, timer.dueAt);
          if (firing instanceof Promise) await firing;
        }
        fired++;
      }
    }
  }

  /** Fires one claimed timer at its due instant. */
  fire(timer: TimerRecord): Promise<Applied> {
    if (timer.timer === 'forget')
      return this.commits.inTurn(timer.contactId, timer.dueAt, undefined, forgetProfile(timer));
    return this.apply(timer.contactId, { kind: 'timer', timer }, timer.dueAt);
  }

  /**
   * Applies an input to a contact: one at a time per contact, retried when another writer got there first.
   * Resolves once the step is durable, or, with a `batch`, once it is applied (the batch waits for the write).
   */
  apply(contactId: string, input: StepInput, now: Millis, messageId?: string, batch?: WriteBatch): Promise<Applied> {
    if (batch !== undefined)
      return this.afterwards(now, this.commits.inTurn(contactId, now, messageId, stepOf(input), batch));
    try {
      return Promise.resolve(this.applySoon(contactId, input, now, messageId));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * `apply`, at once where it can: over a store that answers at once (an embedder's memory store, a
   * simulation: RuntimeOptions.immediate) and while the contact has no step in flight, the step is read,
   * made and committed without a lane or a promise per read and commit, and a promise is returned only when
   * something is left to wait for (waiting handoffs assigned after a freed rep). Otherwise the awaited path.
   * Throws what `apply` would reject with.
   */
  applySoon(contactId: string, input: StepInput, now: Millis, messageId?: string): Applied | Promise<Applied> {
    const step = stepOf(input);
    const applied = this.commits.now(contactId, now, step, messageId);
    if (applied === undefined) return this.afterwards(now, this.commits.inTurn(contactId, now, messageId, step));
    const assigning = this.assignFreed(now);
    return assigning === undefined ? applied : assigning.then(() => applied);
  }

  /** Commits a pure change of one existing contact on its lane, after its earlier steps (a migration's move, SPEC §10). */
  change(contactId: string, change: ContactChange, now: Millis = this.clock.now()): Promise<Applied> {
    return this.afterwards(now, this.commits.inTurn(contactId, now, undefined, change));
  }

  /**
   * When a step freed a rep (a handoff closed, was rejected or escalated), waiting handoffs are assigned
   * right after it, outside the contact's queue, since they may belong to the same contact.
   */
  private afterwards(now: Millis, work: Promise<Applied>): Promise<Applied> {
    return this.team ? this.assignAfter(now, work) : work; // without a team no rep is ever freed
  }

  private async assignAfter(now: Millis, work: Promise<Applied>): Promise<Applied> {
    const applied = await work;
    const assigning = this.assignFreed(now);
    if (assigning !== undefined) await assigning;
    return applied;
  }

  /**
   * Assigns waiting handoffs if a step freed a rep since: what `apply` does after its step, for a caller
   * of `applyNow`. Undefined when no rep was freed (nothing to wait for).
   */
  assignFreed(now: Millis): Promise<void> | undefined {
    if (this.assigning || !this.commits.takeRepFreed()) return undefined;
    return this.assignWaitingHandoffs(now).then(() => undefined);
  }

  /**
   * `apply` at once, without a promise, for a runtime whose store answers at once (RuntimeOptions.immediate)
   * when the contact has no step in flight: the same step, commit and listeners. Waiting handoffs are not
   * assigned here: call `assignFreed` next, as `apply` would. Undefined when it cannot (use `apply`);
   * throws what `apply` would reject with.
   */
  applyNow(contactId: string, input: StepInput, now: Millis): Applied | undefined {
    return this.commits.now(contactId, now, stepOf(input));
  }

  /**
   * A rep accepts a handoff (the first touch). Refused with a BatonError when it is not open or not theirs.
   * With a `messageId` (a signed webhook's id) the action is applied once: a second time answers `duplicate`.
   */
  accept(ref: HandoffRef & Idempotent, now: Millis = this.clock.now()): Promise<Applied> {
    return this.act({ type: 'accept', ref }, ref.messageId, now);
  }

  /** A rep logs an outcome; the journey moves on. An outcome the node does not declare is refused. */
  logOutcome(
    ref: HandoffRef & Idempotent & { outcome: string; value?: number | undefined },
    now: Millis = this.clock.now(),
  ): Promise<Applied> {
    return this.act({ type: 'outcome', ref, outcome: ref.outcome, value: ref.value }, ref.messageId, now);
  }

  /** A rep rejects a handoff; it is routed again, never back to them. */
  reject(
    ref: HandoffRef & Idempotent & { reason?: string | undefined },
    now: Millis = this.clock.now(),
  ): Promise<Applied> {
    return this.act({ type: 'reject', ref, reason: ref.reason }, ref.messageId, now);
  }

  /**
   * Moves an open handoff to another rep (an admin's reassign, a rep claiming queue work). With `claim`, only
   * while nobody holds it: refused with a `conflict` BatonError once someone does, checked as the step commits.
   */
  reassign(
    ref: HandoffRef & { to: string; by: string; claim?: boolean },
    now: Millis = this.clock.now(),
  ): Promise<Applied> {
    return this.act({ type: 'reassign', ref, to: ref.to, by: ref.by, claim: ref.claim }, undefined, now);
  }

  /**
   * A person's action goes into the pure step like an event does, on the contact's lane. A handoff named
   * by its id is found through the store's index of handoffs.
   */
  private async act(
    action: Exclude<HumanAction, { type: 'assignWaiting' }>,
    messageId: string | undefined,
    now: Millis,
  ): Promise<Applied> {
    const { ref } = action;
    if (!('handoff' in ref)) return this.apply(ref.userId, { kind: 'human', action }, now, messageId);
    // Read to find its contact, so actions on one handoff (an accept, then its outcome) take the contact's
    // lane in the order they came, as calls that read first do (`inOrder`).
    const handoffId = ref.handoff;
    return this.inOrder([`\u0000handoff ${handoffId}`], async () => {
      const h = await this.store.handoff(handoffId);
      if (!h) throw new BatonError('not_found', `no handoff ${handoffId}`);
      return { applied: this.apply(h.contactId, { kind: 'human', action }, now, messageId) };
    });
  }

  /** Changes a rep at run time (active, capacity); waiting handoffs are assigned if they now fit. */
  async setRep(
    id: string,
    change: { active?: boolean | undefined; capacity?: number | undefined },
    now: Millis = this.clock.now(),
  ): Promise<void> {
    if (!this.team?.reps.some((r) => r.id === id)) throw new BatonError('unknown_rep', `rep ${id} is not in the team`);
    const clean = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    const changed = (desk: DeskState): DeskState => ({
      ...desk,
      reps: { ...desk.reps, [id]: { ...own(desk.reps, id), ...clean } },
    });
    // Holding the desk where several processes share it: routing under load would win every race.
    if (this.store.changeDeskHolding) await this.store.changeDeskHolding(changed);
    else
      for (let attempt = 0; ; attempt++) {
        const desk = await this.store.loadDesk();
        try {
          await this.store.commitDesk({ expectedVersion: desk.version, state: changed(desk.state) });
          break;
        } catch (err) {
          if (!(err instanceof ConflictError) || attempt >= MAX_RETRIES) throw err;
          await this.backoff?.(attempt + 1);
        }
      }
    await this.assignWaitingHandoffs(now);
  }

  /** Assigns waiting handoffs, oldest first, to reps who have become available. */
  async assignWaitingHandoffs(now: Millis = this.clock.now()): Promise<number> {
    if (this.assigning) return 0;
    this.assigning = true;
    let assigned = 0;
    try {
      // Again while a step that freed a rep came meanwhile (another request's, on a server): its own call
      // found this one running and left the freed rep to it.
      do assigned += await this.assignWaitingOnce(now);
      while (this.commits.takeRepFreed());
    } finally {
      this.assigning = false;
    }
    return assigned;
  }

  /**
   * Assigns waiting handoffs if a rep's load dropped since the last call and a handoff waits: a safety net
   * a server's scheduler runs each tick where several processes share the store. There a step may read
   * the loads just before another process frees a rep, and leave its handoff waiting after that process's
   * own pass found nothing to assign: nothing else would come for it (SPEC §9: nothing is stuck).
   */
  async assignStranded(now: Millis = this.clock.now()): Promise<number> {
    const [waiting] = await this.store.waitingHandoffs({ limit: 1 });
    if (waiting === undefined) {
      this.stranded = undefined;
      return 0;
    }
    const loads = await this.store.repLoads();
    const seen = this.stranded;
    const dropped = seen === undefined || Object.entries(seen.loads).some(([rep, n]) => (own(loads, rep) ?? 0) < n);
    // Also once a minute while work waits and a rep has room (a rep freed between two looks, before the
    // stranded handoff was committed, shows no drop at the next look); never while every rep is full, when
    // a pass would only write each waiting contact again.
    const sweep = !dropped && now - seen.swept >= STRANDED_SWEEP_MS && (await this.someRepHasRoom(loads, now));
    this.stranded = { loads, swept: dropped || sweep ? now : seen.swept };
    return dropped || sweep ? this.assignWaitingHandoffs(now) : 0;
  }

  /** Whether an active rep of the team holds fewer open handoffs than their capacity (hours aside). */
  private async someRepHasRoom(loads: Record<string, number>, now: Millis): Promise<boolean> {
    const team = this.team;
    if (team === undefined) return false;
    const view = { team, desk: (await this.store.loadDesk()).state, load: (id: string) => own(loads, id) ?? 0, now };
    return team.reps.some((r) => unavailability(view, r.id) === null);
  }

  /** What `assignStranded` saw last while a handoff waited: the rep loads, and when it last ran a pass. */
  private stranded: { loads: Record<string, number>; swept: Millis } | undefined;

  /** One pass of `assignWaitingHandoffs` over the waiting handoffs, oldest first. */
  private async assignWaitingOnce(now: Millis): Promise<number> {
    let assigned = 0;
    const blocked = new Set<string>();
    // A page at a time from the store's index of waiting handoffs, leaving out the queues found blocked:
    // the cost follows the handoffs tried, not every open handoff (issue #17: that walk made simulations quadratic).
    for (let after: HandoffRecord | undefined; ; ) {
      const page = await this.store.waitingHandoffs({ limit: WAITING_PAGE, after, skipQueues: [...blocked] });
      for (const h of page) {
        if (h.queue !== null && blocked.has(h.queue)) continue;
        const applied = await this.commits.inTurn(h.contactId, now, undefined, (state, ctx) =>
          stepContact(state, { kind: 'human', action: { type: 'assignWaiting', handoff: h.id } }, ctx),
        );
        if (
          applied.effects.some(
            (e) => e.type === 'event' && e.name === 'Handoff Assigned' && e.properties.handoff === h.id,
          )
        )
          assigned++;
        // Oldest first: if the oldest waiting handoff of a queue finds nobody, younger ones will not either
        // (unless reps rejected it, which only excludes them for that handoff).
        else if (h.queue !== null && h.rejectedBy.length === 0) blocked.add(h.queue);
      }
      if (page.length < WAITING_PAGE) break;
      after = page[page.length - 1];
    }
    return assigned;
  }

  private assigning = false;
}

/**
 * The change that steps a contact with `input`. (Made here rather than as a named const at the call: tsx,
 * which runs the checkout, names every such closure through a helper, 3.5% of the engine bench's loop.)
 */
function stepOf(input: StepInput): ContactChange {
  return (state, ctx) => stepContact(state, input, ctx);
}
