import type { JourneyCatalog } from '../compile/catalog.ts';
import { compileJourney } from '../compile/compileJourney.ts';
import { JourneyInvalidError } from '../model/errors.ts';
import { appended } from '../model/exact.ts';
import type { Millis } from '../model/time.ts';
import { Journey } from '../nodes/journey.ts';
import type { HandoffNode } from '../nodes/handoff.ts';
import { Draft } from '../step/draft.ts';
import type { InstanceRecord } from '../state/records.ts';
import type { Store } from '../store/store.ts';
import { validateJourney } from '../validate/validateJourney.ts';
import {
  checkMigrationMap,
  decideMove,
  enteredNodeAt,
  movedTimer,
  planMigration,
  snapshotAt,
  type MigrationMap,
  type MigrationPlan,
  type MigrationTarget,
} from './migration.ts';
import type { ContactChange } from './applied.ts';
import type { Runtime } from './runtime.ts';
import { finishStep } from './step.ts';

/** The timeline event a move records (SPEC §10), with the journey, and the version and node before and after. */
export const JOURNEY_MIGRATED = 'Journey Migrated';

/**
 * Moves one contact's run to the target version, if it still waits at a node that maps (a contact already
 * moved, or gone on, is left as it is, so a resumed migration moves nobody twice). Pure, like a step.
 */
export function moveContact(catalog: JourneyCatalog, target: MigrationTarget): ContactChange {
  return (state, ctx) => {
    const d = decideMove(state, catalog, target);
    if (d.kind !== 'move') return { state, effects: [], journal: [] };
    const { inst, from, to, handoff } = d;
    const draft = new Draft(state, ctx.now, ctx.workspace, ctx.ids, undefined);
    const entered = enteredNodeAt(state, inst, from, handoff, ctx.now);
    draft.removeTimers(
      (t) => !t.handoffId && t.journeyId === inst.journeyId && t.run === inst.run && t.node === from.id,
    );
    const timer = movedTimer(to, entered, ctx.now);
    if (timer)
      draft.addTimer({
        id: ctx.ids.next('tmr', state.contact.id),
        contactId: state.contact.id,
        journeyId: inst.journeyId,
        run: inst.run,
        node: to.id,
        ...timer,
      });
    if (handoff) {
      // The record, its assignee and its SLA clock stay; it now belongs to the target node.
      draft.putHandoff({
        ...handoff,
        version: target.version,
        node: to.id,
        outcomes: Object.keys((to as HandoffNode).outcomes),
      });
      draft.timers = draft.timers.map((t) => (t.handoffId === handoff.id ? { ...t, node: to.id } : t));
    }
    const moved: InstanceRecord = {
      ...inst,
      version: target.version,
      snapshot: snapshotAt(to.id),
      node: to.id,
      nodeAt: entered,
      path: to.id === from.id ? inst.path : appended(inst.path, to.id),
    };
    draft.update(moved);
    // The path gains the target node: entered as far as a report's node counts go too (SPEC §8).
    if (to.id !== from.id) draft.enteredNode(moved, to.id);
    draft.emitSystem(JOURNEY_MIGRATED, {
      journey: inst.journeyId,
      fromVersion: inst.version,
      toVersion: target.version,
      fromNode: from.id,
      toNode: to.id,
    });
    return finishStep(draft, ctx);
  };
}

/** The plan of a migration over every contact a store holds. */
export async function planFromStore(
  store: Store,
  catalog: JourneyCatalog,
  target: MigrationTarget,
): Promise<MigrationPlan> {
  checkMigrationMap(catalog, target);
  return planMigration(await store.contacts(), catalog, target);
}

/**
 * The target of a migration into a journey's published `version` (default: its newest), with the map
 * checked against its versions (InputInvalidError naming every problem).
 */
export function publishedTarget(
  catalog: JourneyCatalog,
  journeyId: string,
  migrate: MigrationMap,
  version = catalog.latestVersion(journeyId),
): MigrationTarget {
  const compiled = catalog.get(journeyId, version);
  if (!compiled)
    throw new JourneyInvalidError([
      { path: '$.id', node: null, message: `journey ${journeyId} has no published version ${version}` },
    ]);
  const target = { journeyId, version, compiled, migrate };
  checkMigrationMap(catalog, target);
  return target;
}

/** The target a draft would be if it were published next: validated, compiled, not published. */
export function draftTarget(
  catalog: JourneyCatalog,
  draft: unknown,
  migrate: MigrationMap,
  team?: unknown,
): MigrationTarget {
  const result = validateJourney(draft, team);
  if (!result.valid) throw new JourneyInvalidError(result.errors);
  const journey = Journey.parse(draft);
  const target = {
    journeyId: journey.id,
    version: catalog.latestVersion(journey.id) + 1,
    compiled: compileJourney(journey),
    migrate,
  };
  checkMigrationMap(catalog, target);
  return target;
}

/** What applying a migration did: the plan as it stood, and how many contacts moved. */
export interface MigrationResult extends MigrationPlan {
  moved: number;
}

/**
 * Applies a migration: each contact that maps is moved in a commit of its own on its lane, recorded on its
 * timeline as `Journey Migrated`. Running it again (after a crash) moves only those not yet moved.
 */
export async function migrateContacts(
  runtime: Runtime,
  target: MigrationTarget,
  now: Millis = runtime.clock.now(),
): Promise<MigrationResult> {
  const plan = planMigration(await runtime.store.contacts(), runtime.catalog, target);
  let moved = 0;
  for (const contactId of await runtime.store.contactIds()) {
    const state = await runtime.store.load(contactId);
    if (!state || decideMove(state, runtime.catalog, target).kind !== 'move') continue;
    const applied = await runtime.change(contactId, moveContact(runtime.catalog, target), now);
    if (applied.effects.some((e) => e.type === 'event' && e.name === JOURNEY_MIGRATED)) moved++;
  }
  return { ...plan, moved };
}

/**
 * Publishes a journey as its next version and, when a map is given, migrates the contacts waiting in its
 * older versions. The draft and the map are checked before anything changes.
 */
export async function publishAndMigrate(
  runtime: Runtime,
  definition: unknown,
  migrate: MigrationMap | undefined,
): Promise<{ version: number; migration: MigrationResult | null }> {
  const target = draftTarget(runtime.catalog, definition, migrate ?? {}, runtime.team);
  const version = runtime.catalog.publish(definition, runtime.team);
  if (migrate === undefined) return { version, migration: null };
  return {
    version,
    migration: await migrateContacts(runtime, {
      ...target,
      compiled: runtime.catalog.get(target.journeyId, version)!,
      version,
    }),
  };
}
