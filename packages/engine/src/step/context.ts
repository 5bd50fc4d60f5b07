import type { CompiledJourney } from '../compile/compileJourney.ts';
import type { JourneyCatalog } from '../compile/catalog.ts';
import type { Millis } from '../model/time.ts';
import type { Team } from '../model/team.ts';
import type { Workspace } from '../model/workspace.ts';
import type { DeskState } from '../routing/desk.ts';
import type { Effect, JournalEntry } from '../state/effects.ts';
import type { ContactState, InstanceRecord, TimerRecord } from '../state/records.ts';
import type { Draft, IdSource } from './draft.ts';

/**
 * Names the handoff a human acts on: by its id, or (as scripts do, SPEC §8) by the contact, the journey
 * and the handoff node of its current run. `rep`: the rep acting; when given, it must be the assignee.
 */
export type HandoffRef = ({ handoff: string } | { userId: string; journey: string; node: string }) & {
  rep?: string | undefined;
};

/** What a person does to a handoff (or, for a waiting one, what freeing a rep makes possible). */
export type HumanAction =
  | { type: 'accept'; ref: HandoffRef }
  | { type: 'reject'; ref: HandoffRef; reason?: string | undefined }
  | { type: 'outcome'; ref: HandoffRef; outcome: string; value?: number | undefined }
  | { type: 'reassign'; ref: HandoffRef; to: string; by: string; claim?: boolean | undefined }
  | { type: 'assignWaiting'; handoff: string };

/** What happened to a contact: an event, a trait update, a timer falling due, or a person's action. */
export type StepInput =
  | { kind: 'track'; name: string; properties: Record<string, unknown>; at: Millis }
  | { kind: 'identify'; traits: Record<string, unknown>; at: Millis }
  | { kind: 'timer'; timer: TimerRecord }
  | { kind: 'human'; action: HumanAction };

/** Everything a step reads besides the contact: the instant, the journeys, the workspace, ids, action handlers. */
export interface StepContext {
  now: Millis;
  catalog: JourneyCatalog;
  workspace: Workspace;
  ids: IdSource;
  handlers: Record<string, ActionHandler>;
  /** Build a new handoff's context when it is first read rather than at once (RuntimeOptions.lazyHandoffContext). */
  lazyHandoffContext?: boolean;
  /** A handoff is not created: the step throws `HandoffDeferred` (RuntimeOptions.deferHandoffs). */
  deferHandoffs?: boolean;
  /** The team and the routing state, when handoffs can be routed. */
  team?: Team;
  routing?: { desk: DeskState; loads: Readonly<Record<string, number>> };
}

/** The next state of a contact and what must happen in the world because of it. */
export interface StepResult {
  state: ContactState;
  effects: Effect[];
  journal: JournalEntry[];
  /** The routing state, when the step moved it (a queue cursor). */
  desk: DeskState | null;
}

/** What carrying out an action may ask of the machine runner: `continue` after a trait update. */
export interface ActionOutcome {
  continue?: boolean;
}

/** Carries out one action of a journey machine against the draft. */
export type ActionHandler = (
  draft: Draft,
  inst: InstanceRecord,
  params: never,
  compiled: CompiledJourney,
  ctx: StepContext,
) => ActionOutcome | void;
