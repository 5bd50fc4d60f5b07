// The public API of @baton/engine: what a developer embedding the engine uses, by name. Start with
// createEngine (embed/createEngine.ts). Baton's server and designer use more of the engine through
// '@baton/engine/internal' (internal.ts): a name only they need goes there, not here.

// The engine: create it, ingest events, let time pass, act on handoffs.
export {
  createEngine,
  type Engine,
  type EngineOptions,
  type SegmentCall,
  type SettableClock,
  type ActingRep,
} from './embed/createEngine.ts';
export { randomIds } from './embed/randomIds.ts';
export { counterIds, type Applied } from './runtime/applied.ts';
export type { IdSource } from './step/draft.ts';

// What it runs: journeys, the team handoffs go to, score models, the Segment calls it takes.
export { Journey, JOURNEY_SCHEMA } from './nodes/journey.ts';
export { validateJourney } from './validate/validateJourney.ts';
export { Team } from './model/team.ts';
export { Workspace } from './model/workspace.ts';
export { InboundEvent, TrackEvent, IdentifyEvent, GroupCall } from './model/event.ts';

// A journey as an XState v5 machine with Baton's guards and actions, for createActor without the engine.
export {
  journeyMachine,
  nodeOfSnapshot,
  type JourneyMachineContext,
  type JourneyMachineEvent,
  type JourneyMachineInput,
  type JourneyMachineOptions,
  type RecordedEffect,
} from './compile/journeyMachine.ts';

// Time: the engine reads a clock it is given; a virtual one lets time pass at once.
export { type Clock, type Millis, VirtualClock, parseInstant, formatInstant, addDuration } from './model/time.ts';

// What it asks the world to do, and what it keeps.
export type {
  Effect,
  MessageEffect,
  WebhookEffect,
  NotifyEffect,
  EmittedEvent,
  JournalEntry,
} from './state/effects.ts';
export type {
  ContactState,
  ContactRecord,
  InstanceRecord,
  TimerRecord,
  MessageRecord,
  DecisionRecord,
  HandoffRecord,
  HandoffContext,
} from './state/records.ts';
export type { HistoryEvent, Timeline } from './conditions/timeline.ts';

// Stores: the interface, the memory store, and what an implementation needs (the contract suite is
// '@baton/engine/store-contract').
export {
  byDueThenAge,
  compareIds,
  byAge,
  countOpenHandoffs,
  isLate,
  matchesQuery,
  type OpenHandoffCount,
  type Store,
  type Commit,
  type ClaimRequest,
  type OutboxEntry,
  type DeskCommit,
  type HandoffKey,
  type HandoffQuery,
  type WaitingQuery,
  type StepRead,
} from './store/store.ts';
export {
  handoffReport,
  assembleReport,
  type HandoffReport,
  type HandoffStats,
  type NodeCounts,
  type ReportPeriod,
  type ReportRow,
  type ReportedHandoff,
} from './reports/handoffReport.ts';
export { MemoryStore, type StoreSnapshot, type MemoryStoreOptions } from './store/memoryStore.ts';
export { newDesk, type DeskState, type QueueCursor } from './routing/desk.ts';

// Errors: every one has a code and a message that says how to fix it.
export {
  BatonError,
  JourneyInvalidError,
  InputInvalidError,
  ConflictError,
  DeskConflictError,
  DuplicateMessageError,
  type ValidationError,
  type ValidationResult,
} from './model/errors.ts';
