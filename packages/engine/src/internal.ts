// @baton/engine/internal: the rest of the engine, for Baton's own server, designer and tests. No stability
// promise: names here change with Baton. An embedder starts from '@baton/engine' (index.ts), which this
// entry includes. A name another Baton package needs goes here, not into the public index.
export * from './index.ts';
export { Id, IsoDuration, Instant, JsonObject, isIsoDuration, isObject } from './model/primitives.ts';
export { dictionary, own, ownRecord } from './model/dictionary.ts';
export { subtractDuration } from './model/time.ts';
export { Interner, NO_PROPERTIES } from './model/intern.ts';
export { compactEvents, compactTimeline } from './store/compactTimeline.ts';
export {
  Condition,
  conditionProblems,
  FIELD_OPS,
  COUNT_OPS,
  MAX_CONDITION_DEPTH,
  type ConditionShape,
  type FieldRule,
  type EventRule,
} from './model/condition.ts';
export { JourneyNode, Trigger } from './nodes/journey.ts';
export { ScoreModel } from './model/workspace.ts';
export { Rep, Queue, Calendar, WEEKDAYS } from './model/team.ts';
export { businessDeadline, withinHours, nextOpening } from './team/businessTime.ts';
export { routeHandoff, resolveTarget, type RoutingResult } from './routing/route.ts';
export { pickFromQueue } from './routing/strategies.ts';
export { effectiveRep, type RoutingView } from './routing/desk.ts';
export { unavailability } from './routing/availability.ts';
export { RouteTarget } from './model/target.ts';
export { ContactId, plainTrack } from './model/event.ts';
export { Script, ScriptStep, STEP_KINDS } from './model/script.ts';
export { Population, TraitDistribution } from './model/population.ts';
export { Template, templateProblems, renderTemplate } from './model/template.ts';
export { NODE_KINDS, NODE_TYPES, kindOf, type NodeType } from './nodes/registry.ts';
export type { NodeKind, Port } from './nodes/kind.ts';
export { ACTIONS } from './nodes/action.ts';
export { RECORD_KINDS, PRIORITIES } from './nodes/handoff.ts';
export { type EvalEnv, readField, readPath } from './conditions/env.ts';
export {
  compileCondition,
  evaluateCondition,
  ConditionError,
  compareField,
  type Predicate,
} from './conditions/evaluate.ts';
export { explainCondition } from './conditions/explain.ts';
export { computeScore, allScores, scoreReader, scoreInput } from './scores/score.ts';
export { eventsOf, withEvent, HISTORY_LIMIT, RECENT_MAX, INDEX_MIN } from './conditions/timeline.ts';
export { formatPath, parseInput, plainMessage } from './validate/issues.ts';
export {
  compileJourney,
  machineConfig,
  stateKey,
  nodeIdOfKey,
  TRIGGER_STATE,
  type CompiledJourney,
} from './compile/compileJourney.ts';
export { pickVariant, stableHash } from './compile/hash.ts';
export { JourneyCatalog } from './compile/catalog.ts';
export { Runtime, type RuntimeOptions } from './runtime/runtime.ts';
export { WriteBatch, type StepListener } from './runtime/applied.ts';
export { stepContact } from './runtime/step.ts';
export { newContactState, CONTACT_UPDATED } from './state/records.ts';
export type { StepInput, StepContext, StepResult } from './step/context.ts';
export {
  simulateScript,
  simulationWorld,
  advanceTo,
  type SimulationInput,
  type SimulationWorld,
} from './sim/simulate.ts';
export { reportHandoff, type ReportHandoff } from './handoff/report.ts';
export { handoffRecordView } from './handoff/view.ts';
export { HandoffDeferred } from './model/errors.ts';
export {
  runSynthetic,
  runSyntheticPartition,
  simulateSynthetic,
  type Handover,
  type PartitionBatch,
  type SyntheticInput,
  type SyntheticPartitions,
  type SyntheticTiming,
} from './sim/synthetic.ts';
export { ContactSpool, type ContactEntry } from './sim/contactSpool.ts';
export { PartitionInbox, partitionSender } from './sim/partitionChannel.ts';
export { seededRandom } from './sim/random.ts';
export { handoffStats } from './reports/handoffReport.ts';
export type { SimulationReport, ReportJourney } from './sim/report.ts';
export {
  MigrationMap,
  WAITING_TYPES,
  planMigration,
  decideMove,
  migrationMapProblems,
  type MigrationPlan,
  type MigrationTarget,
  type PlannedMove,
  type BlockedContact,
} from './runtime/migration.ts';
export type { UnmappedNode } from './runtime/migration.ts';
export {
  JOURNEY_MIGRATED,
  moveContact,
  migrateContacts,
  planFromStore,
  publishedTarget,
  draftTarget,
  publishAndMigrate,
  type MigrationResult,
} from './runtime/migrate.ts';
export { RepModel, RepBehaviour, RoutingAtStart } from './model/repModel.ts';
export { fitRepModel, routingAt, type QueueAssignment } from './reports/repModel.ts';
export { buildReport } from './sim/simulate.ts';
export {
  simulateEvents,
  recordedEvents,
  type BacktestInput,
  type BacktestTiming,
  type RecordedEvent,
} from './sim/backtest.ts';
export { draftSummary, liveSummary, type BacktestSummary } from './sim/summary.ts';
export { durationMillis } from './model/time.ts';
