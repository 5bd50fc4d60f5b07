import type { z } from 'zod';
import type { CompiledJourney } from '../compile/compileJourney.ts';
import { stateKey } from '../compile/compileJourney.ts';
import type { JourneyCatalog } from '../compile/catalog.ts';
import { own, ownRecord } from '../model/dictionary.ts';
import { InputInvalidError, type ValidationError } from '../model/errors.ts';
import { Id } from '../model/primitives.ts';
import { addDuration, subtractDuration, type Millis } from '../model/time.ts';
import { formatPath } from '../validate/issues.ts';
import type { JourneyNode } from '../nodes/journey.ts';
import type { ContactState, HandoffRecord, InstanceRecord, TimerRecord } from '../state/records.ts';

/** A migration map (SPEC §10): waiting node of an older version → node of the new version. */
export const MigrationMap = ownRecord(Id, Id);
export type MigrationMap = z.infer<typeof MigrationMap>;

/** The node types a contact can wait at, and so the only ones a migration moves between. */
export const WAITING_TYPES: ReadonlySet<string> = new Set(['wait', 'pause', 'handoff']);

/** The journey a migration moves contacts into: its id, the version it is (or would be) and its compiled form. */
export interface MigrationTarget {
  journeyId: string;
  version: number;
  compiled: CompiledJourney;
  migrate: MigrationMap;
}

/** Where one waiting contact of an older version would go, or why it cannot. */
export type MoveDecision =
  | { kind: 'move'; inst: InstanceRecord; from: JourneyNode; to: JourneyNode; handoff: HandoffRecord | undefined }
  | { kind: 'blocked'; inst: InstanceRecord; from: JourneyNode; to: string; reason: string }
  | { kind: 'stay'; inst?: InstanceRecord; from?: JourneyNode };

/** Every problem of a migration map against the journey's versions (an unknown node, a node nobody waits at), with its path. */
export function migrationMapProblems(catalog: JourneyCatalog, target: MigrationTarget): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const [from, to] of Object.entries(target.migrate)) {
    const path = formatPath(['migrate', from]);
    const olderTypes = new Set<string>();
    for (let v = 1; v < target.version; v++) {
      const node = catalog.get(target.journeyId, v)?.nodes.get(from);
      if (node) olderTypes.add(node.type);
    }
    if (olderTypes.size === 0)
      errors.push({ path, node: from, message: `no older version of journey ${target.journeyId} has a node ${from}` });
    else if (![...olderTypes].some((t) => WAITING_TYPES.has(t))) {
      errors.push({
        path,
        node: from,
        message: `${from} is a ${[...olderTypes].join('/')} node; only wait, pause and handoff nodes hold contacts and map`,
      });
    }
    if (!target.compiled.nodes.has(to))
      errors.push({ path, node: to, message: `version ${target.version} has no node ${to}` });
  }
  return errors;
}

/** Throws InputInvalidError (400) naming every problem of the map. */
export function checkMigrationMap(catalog: JourneyCatalog, target: MigrationTarget): void {
  const errors = migrationMapProblems(catalog, target);
  if (errors.length > 0) throw new InputInvalidError(errors, 'migration map');
}

/** The open handoff an instance waits on at its handoff node. */
function openHandoffOf(state: ContactState, inst: InstanceRecord): HandoffRecord | undefined {
  return state.handoffs.find(
    (h) => h.status === 'open' && h.journeyId === inst.journeyId && h.run === inst.run && h.node === inst.node,
  );
}

/** Where the contact's run of the target journey would go, judged on its state as it is now. */
export function decideMove(state: ContactState, catalog: JourneyCatalog, target: MigrationTarget): MoveDecision {
  const inst = state.instances.find((i) => i.journeyId === target.journeyId);
  if (!inst || inst.status === 'exited' || inst.node === null || inst.version >= target.version)
    return { kind: 'stay' };
  const from = catalog.get(inst.journeyId, inst.version)?.nodes.get(inst.node);
  if (!from || !WAITING_TYPES.has(from.type)) return { kind: 'stay' };
  const toId = own(target.migrate, from.id) ?? (target.compiled.nodes.has(from.id) ? from.id : undefined);
  if (toId === undefined) return { kind: 'stay', inst, from }; // waiting at a node the map leaves where it is
  const to = target.compiled.nodes.get(toId);
  if (!to) return { kind: 'blocked', inst, from, to: toId, reason: `version ${target.version} has no node ${toId}` };
  if (to.type !== from.type)
    return {
      kind: 'blocked',
      inst,
      from,
      to: toId,
      reason: `${from.id} is a ${from.type} node and ${toId} a ${to.type} node: a contact moves only between nodes of the same type`,
    };
  let handoff: HandoffRecord | undefined;
  if (from.type === 'handoff' && to.type === 'handoff') {
    handoff = openHandoffOf(state, inst);
    const missing = (handoff?.outcomes ?? Object.keys(from.outcomes)).filter((o) => own(to.outcomes, o) === undefined);
    if (missing.length > 0) {
      return {
        kind: 'blocked',
        inst,
        from,
        to: toId,
        reason: `the open handoff at ${from.id} may still log ${missing.join(', ')}, which ${toId} does not declare`,
      };
    }
  }
  return { kind: 'move', inst, from, to, handoff };
}

/** A plan's line: how many contacts move from a node of a version to a node of the new version. */
export interface PlannedMove {
  fromVersion: number;
  from: string;
  to: string;
  contacts: number;
}

/** A contact that cannot move, and why. */
export interface BlockedContact {
  contactId: string;
  fromVersion: number;
  from: string;
  to: string;
  reason: string;
}

/** Contacts waiting at a node that maps nowhere: they stay on their version. */
export interface UnmappedNode {
  fromVersion: number;
  from: string;
  contacts: number;
}

/** What a migration would do (SPEC §10), computed without applying it. */
export interface MigrationPlan {
  journey: string;
  version: number;
  moves: PlannedMove[];
  blocked: BlockedContact[];
  /** Waiting nodes of older versions that map nowhere, with how many stay there (an addition to §10). */
  unmapped: UnmappedNode[];
}

/** The plan for these contact states: counts per source → target node, and the contacts that cannot move. */
export function planMigration(
  states: Iterable<ContactState>,
  catalog: JourneyCatalog,
  target: MigrationTarget,
): MigrationPlan {
  const counts = new Map<string, PlannedMove>();
  const blocked: BlockedContact[] = [];
  const staying = new Map<string, UnmappedNode>();
  for (const state of states) {
    const d = decideMove(state, catalog, target);
    if (d.kind === 'stay' && d.inst && d.from) {
      const key = JSON.stringify([d.inst.version, d.from.id]);
      const line = staying.get(key);
      if (line) line.contacts++;
      else staying.set(key, { fromVersion: d.inst.version, from: d.from.id, contacts: 1 });
    }
    if (d.kind === 'blocked')
      blocked.push({
        contactId: state.contact.id,
        fromVersion: d.inst.version,
        from: d.from.id,
        to: d.to,
        reason: d.reason,
      });
    if (d.kind !== 'move') continue;
    const key = JSON.stringify([d.inst.version, d.from.id, d.to.id]);
    const line = counts.get(key);
    if (line) line.contacts++;
    else counts.set(key, { fromVersion: d.inst.version, from: d.from.id, to: d.to.id, contacts: 1 });
  }
  const moves = [...counts.values()].sort(
    (a, b) =>
      a.fromVersion - b.fromVersion || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0) || (a.to < b.to ? -1 : 1),
  );
  blocked.sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
  const unmapped = [...staying.values()].sort(
    (a, b) => a.fromVersion - b.fromVersion || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0),
  );
  return { journey: target.journeyId, version: target.version, moves, blocked, unmapped };
}

/** The instant the contact entered its node: kept on the run, else read back from the node's own timer. */
export function enteredNodeAt(
  state: ContactState,
  inst: InstanceRecord,
  from: JourneyNode,
  handoff: HandoffRecord | undefined,
  now: Millis,
): Millis {
  if (inst.nodeAt !== undefined) return inst.nodeAt;
  if (handoff) return handoff.createdAt;
  const timer = state.timers.find(
    (t) => !t.handoffId && t.journeyId === inst.journeyId && t.run === inst.run && t.node === from.id,
  );
  const after = from.type === 'wait' ? from.duration : from.type === 'pause' ? from.timeout : undefined;
  if (timer && after !== undefined) return subtractDuration(timer.dueAt, after);
  return now;
}

/** The timer the target node keeps for a contact that entered it at `entered`, due no earlier than now. */
export function movedTimer(
  to: JourneyNode,
  entered: Millis,
  now: Millis,
): Pick<TimerRecord, 'timer' | 'dueAt'> | undefined {
  const timed =
    to.type === 'wait'
      ? { timer: 'wait' as const, after: to.duration }
      : to.type === 'pause' && to.timeout && to.onTimeout
        ? { timer: 'timeout' as const, after: to.timeout }
        : to.type === 'handoff' && to.expires && to.onExpire
          ? { timer: 'expire' as const, after: to.expires }
          : undefined;
  return timed && { timer: timed.timer, dueAt: Math.max(addDuration(entered, timed.after), now) };
}

/** The persisted machine snapshot of a contact waiting at `nodeId`. */
export function snapshotAt(nodeId: string): { status: string; value: string } {
  return { status: 'active', value: stateKey(nodeId) };
}
