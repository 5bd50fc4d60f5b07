import type { EvalEnv } from '../conditions/env.ts';
import type { HistoryEvent } from '../conditions/timeline.ts';
import type { Millis } from '../model/time.ts';
import type { Workspace } from '../model/workspace.ts';
import { scoreInput, scoreReader } from '../scores/score.ts';
import type { Effect, JournalEntry } from '../state/effects.ts';
import type { DeskState } from '../routing/desk.ts';
import { appended, kept } from '../model/exact.ts';
import { hasKeys } from '../model/intern.ts';
import { heldEvent, withEvent, type Timeline } from '../conditions/timeline.ts';
import type { ContactRecord, ContactState, HandoffRecord, InstanceRecord, TimerRecord } from '../state/records.ts';

/**
 * Source of new ids: random in a server, a counter in a simulation. `contactId` is the contact the id is
 * made for: a synthetic population numbers each contact's ids on its own (`sim/contactIds.ts`), so that a
 * contact's ids do not depend on what other contacts did before it.
 */
export interface IdSource {
  next(prefix: string, contactId: string): string;
}

/**
 * The working copy of one contact during a step. It copies on write, so the state the step started from
 * is never changed: the step stays pure and a failed step leaves nothing half-written.
 */
export class Draft {
  contact: ContactRecord;
  instances: InstanceRecord[];
  timers: TimerRecord[];
  handoffs: HandoffRecord[];
  /** Set when a step changed the routing state shared by every contact. */
  desk: DeskState | null = null;
  readonly effects: Effect[] = [];
  readonly journal: JournalEntry[] = [];
  private envCache: EvalEnv | null = null;

  constructor(
    readonly base: ContactState,
    readonly now: Millis,
    readonly workspace: Workspace,
    readonly ids: IdSource,
    public event: { name: string; properties: Record<string, unknown> } | undefined,
  ) {
    this.contact = base.contact;
    this.instances = base.instances;
    this.timers = base.timers;
    this.handoffs = base.handoffs ?? [];
  }

  /** Replaces a handoff (by id) with a changed copy, or adds it. */
  putHandoff(next: HandoffRecord): void {
    const i = this.handoffs.findIndex((h) => h.id === next.id);
    this.handoffs = i < 0 ? appended(this.handoffs, next) : this.handoffs.map((h, j) => (j === i ? next : h));
  }

  /** Whether a human is working with this contact: an open handoff from any journey, or from other journeys. */
  engaged(exceptJourney?: string): boolean {
    return this.handoffs.some((h) => h.status === 'open' && h.journeyId !== exceptJourney);
  }

  /** The evaluation environment for conditions, rebuilt after traits or history change. */
  env(): EvalEnv {
    if (this.envCache) return this.envCache;
    const { id, traits, history, recent } = this.contact;
    this.envCache = {
      contactId: id,
      traits,
      history,
      recent,
      now: this.now,
      event: this.event,
      score: scoreReader(this.workspace, scoreInput(this.contact, this.now)),
    };
    return this.envCache;
  }

  /**
   * Merges traits into the contact. A contact with no traits yet takes the identify's own traits object,
   * which its timeline event holds too: one object where there were two (states are never changed in place).
   */
  setTraits(traits: Record<string, unknown>): void {
    const current = this.contact.traits;
    this.changeContact(hasKeys(current) ? { ...current, ...traits } : traits, this.contact);
  }

  /**
   * Puts an event on the contact's timeline, in time order, keeping at most HISTORY_LIMIT events, held as
   * a timeline holds one (`heldEvent`).
   */
  record(event: HistoryEvent): void {
    this.changeContact(this.contact.traits, withEvent(this.contact, heldEvent(event)));
  }

  /**
   * The contact with new traits or a new timeline, written out field by field: V8 builds
   * `{ ...contact, history }` far slower than a literal (the whole bench ran about 20% slower).
   */
  private changeContact(traits: Record<string, unknown>, { history, recent }: Timeline): void {
    const { id, createdAt, anonymous, linkedTo, merged } = this.contact;
    this.contact = { id, traits, history, recent, createdAt, updatedAt: this.now };
    // Identity (SPEC §7) rides along only where it is set, so a known contact's record stays as it was.
    if (anonymous) this.contact.anonymous = anonymous;
    if (linkedTo !== undefined) this.contact.linkedTo = linkedTo;
    if (merged !== undefined) this.contact.merged = merged;
    this.envCache = null;
  }

  /** Replaces an instance (by journey id) with a changed copy. */
  update(next: InstanceRecord): void {
    const i = this.instances.findIndex((x) => x.journeyId === next.journeyId);
    this.instances = i < 0 ? appended(this.instances, next) : this.instances.map((x, j) => (j === i ? next : x));
  }

  instance(journeyId: string): InstanceRecord | undefined {
    return this.instances.find((x) => x.journeyId === journeyId);
  }

  addTimer(timer: TimerRecord): void {
    this.timers = appended(this.timers, timer);
  }

  removeTimers(match: (t: TimerRecord) => boolean): void {
    if (this.timers.some(match)) this.timers = kept(this.timers, (t) => !match(t));
  }

  /** Records that the run entered `node` now, for the report's node counts (SPEC §8). */
  enteredNode(inst: InstanceRecord, node: string): void {
    this.journal.push({
      kind: 'node',
      journeyId: inst.journeyId,
      version: inst.version,
      node,
      contactId: this.contact.id,
      at: this.now,
    });
  }

  emit(name: string, properties: Record<string, unknown>): void {
    this.effects.push({ type: 'event', name, contactId: this.contact.id, properties, at: this.now });
  }

  /** System events (the handoff life cycle) waiting to be put on the timeline and handed to journeys. */
  readonly systemEvents: { name: string; properties: Record<string, unknown> }[] = [];

  /** Emits a system event: an effect for webhooks, and, at the end of the step, a timeline event journeys can wait for. */
  emitSystem(name: string, properties: Record<string, unknown>): void {
    this.emit(name, properties);
    this.systemEvents.push({ name, properties });
  }

  /** Evaluates as if handling another event (a system event), until `restore` is called. */
  handling(event: { name: string; properties: Record<string, unknown> } | undefined): void {
    this.event = event;
    this.envCache = null;
  }

  /** The state the step ends in. */
  result(): ContactState {
    return {
      contact: this.contact,
      instances: this.instances,
      timers: this.timers,
      handoffs: this.handoffs,
      version: this.base.version,
    };
  }
}
