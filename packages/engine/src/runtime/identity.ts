import { eventsOf } from '../conditions/timeline.ts';
import { dictionary } from '../model/dictionary.ts';
import type { Millis } from '../model/time.ts';
import { Draft } from '../step/draft.ts';
import type { StepContext, StepInput } from '../step/context.ts';
import type { Effect, JournalEntry } from '../state/effects.ts';
import { CONTACT_UPDATED, type ContactRecord, type ContactState, type TimerRecord } from '../state/records.ts';

/** What an identity change leaves: the contact's next state, and `forget` when the contact is to be removed. */
export interface IdentityChange {
  state: ContactState;
  effects: Effect[];
  journal: JournalEntry[];
  forget?: boolean;
}

const NOTHING: { effects: Effect[]; journal: JournalEntry[] } = { effects: [], journal: [] };

/** The profile's one forget timer, renewed: due `ttlMs` after now. */
function renewForget(draft: Draft, ttlMs: Millis): void {
  draft.removeTimers((t) => t.timer === 'forget');
  const timer: TimerRecord = {
    id: draft.ids.next('tmr', draft.contact.id),
    contactId: draft.contact.id,
    journeyId: '',
    run: 0,
    node: '',
    timer: 'forget',
    dueAt: draft.now + ttlMs,
  };
  draft.addTimer(timer);
}

/**
 * A call with only an anonymousId (SPEC §7): its traits and its event are kept on the anonymous profile,
 * which enters no journey and is forgotten `ttlMs` after it was last seen unless it is linked first.
 */
export function recordAnonymous(input: Extract<StepInput, { kind: 'track' | 'identify' }>, ttlMs: Millis) {
  return (state: ContactState, ctx: StepContext): IdentityChange => {
    const event =
      input.kind === 'track'
        ? { name: input.name, properties: input.properties }
        : { name: CONTACT_UPDATED, properties: input.traits };
    const draft = new Draft(state, ctx.now, ctx.workspace, ctx.ids, event);
    if (!draft.contact.anonymous) draft.contact = { ...draft.contact, anonymous: true };
    if (input.kind === 'identify') draft.setTraits(input.traits);
    draft.record({ name: event.name, at: Math.min(input.at, ctx.now), properties: event.properties });
    renewForget(draft, ttlMs);
    return { state: draft.result(), ...NOTHING };
  };
}

/**
 * Merges an anonymous profile into the contact it was linked to: its events join the timeline in time
 * order, as history (nothing is triggered or resumed by them), and its traits fill the contact's missing
 * ones. A profile is merged once: the contact remembers which it took in.
 */
export function mergeProfile(profile: ContactRecord) {
  return (state: ContactState, ctx: StepContext): IdentityChange => {
    if (state.contact.merged?.includes(profile.id)) return { state, ...NOTHING };
    const draft = new Draft(state, ctx.now, ctx.workspace, ctx.ids, undefined);
    for (const event of eventsOf(profile)) draft.record(event);
    const missing = dictionary<unknown>();
    for (const [key, value] of Object.entries(profile.traits))
      if (!Object.hasOwn(draft.contact.traits, key)) missing[key] = value;
    if (Object.keys(missing).length > 0) draft.setTraits(missing);
    draft.contact = { ...draft.contact, merged: [...(draft.contact.merged ?? []), profile.id] };
    return { state: draft.result(), ...NOTHING };
  };
}

/**
 * What an anonymous profile becomes once merged: a pointer to its contact with nothing of its own, so a
 * later call with only the anonymousId reaches the contact. It too is forgotten after `ttlMs` unseen.
 */
export function linkedProfile(userId: string, ttlMs: Millis) {
  return (state: ContactState, ctx: StepContext): IdentityChange => {
    const empty: ContactState = {
      contact: {
        id: state.contact.id,
        traits: {},
        history: [],
        recent: [],
        createdAt: state.contact.createdAt,
        updatedAt: ctx.now,
        anonymous: true,
        linkedTo: userId,
      },
      instances: [],
      timers: state.timers,
      handoffs: [],
      version: state.version,
    };
    const draft = new Draft(empty, ctx.now, ctx.workspace, ctx.ids, undefined);
    renewForget(draft, ttlMs);
    return { state: draft.result(), ...NOTHING };
  };
}

/**
 * What a link makes of an anonymousId that has no profile yet (linked before its first call): a pointer to
 * the contact, so later calls with only the anonymousId reach the contact as they would had the profile
 * come first. Only where nothing is stored yet: a profile another call made meanwhile is left as it is.
 */
export function pointerTo(userId: string, ttlMs: Millis) {
  const pointer = linkedProfile(userId, ttlMs);
  return (state: ContactState, ctx: StepContext): IdentityChange =>
    state.version === 0 ? pointer(state, ctx) : { state, ...NOTHING };
}

/**
 * An identity call's change of its contact (Segment's alias and group calls, SPEC §7): the contact is
 * created on first sight, and made known if its id was an anonymous profile's; `link` does the rest.
 */
export function identified(state: ContactState): IdentityChange {
  return { state: knownContact(state), ...NOTHING };
}

/** A profile's forget timer fell due: the profile is removed, unless it was seen since (the timer was renewed). */
export function forgetProfile(timer: TimerRecord) {
  return (state: ContactState): IdentityChange => {
    const current = state.timers.some((t) => t.id === timer.id);
    if (current && state.contact.anonymous) return { state, ...NOTHING, forget: true };
    return { state: { ...state, timers: state.timers.filter((t) => t.id !== timer.id) }, ...NOTHING };
  };
}

/** A contact id that had been an anonymous profile becomes a known contact (someone's userId is that id). */
export function knownContact(state: ContactState): ContactState {
  if (!state.contact.anonymous) return state;
  const { anonymous: _anonymous, linkedTo: _linkedTo, ...contact } = state.contact;
  return { ...state, contact, timers: state.timers.filter((t) => t.timer !== 'forget') };
}
