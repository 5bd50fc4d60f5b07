import { isRecord, type DraftJourney, type DraftNode, type Position } from './draft.ts';
import { handlePath, portSlots } from './ports.ts';
import { TRIGGER_NODE, type JourneyMeta } from './convert.ts';

/** An edit of a journey, as data: the designer's undo, redo, tests and (one day) collaboration use it. */
export type JourneyChange =
  | { kind: 'addNode'; node: DraftNode; position: Position }
  /**
   * A new step put in place after a port: the port leads to it, and it leads (by its first port) where the
   * port led before. Every other step at or below `position` moves down by `room` to make space.
   */
  | { kind: 'insertNode'; node: DraftNode; position: Position; after: { source: string; handle: string }; room: number }
  | { kind: 'removeNodes'; ids: string[] }
  | { kind: 'moveNodes'; positions: Record<string, Position> }
  | { kind: 'connect'; source: string; handle: string; target: string }
  | { kind: 'disconnect'; source: string; handle: string }
  | { kind: 'updateNode'; id: string; node: DraftNode }
  | { kind: 'updateJourney'; fields: Partial<JourneyMeta> }
  | { kind: 'paste'; nodes: DraftNode[]; positions: Record<string, Position> }
  | { kind: 'replace'; journey: DraftJourney };

const setAt = (node: DraftNode, path: (string | number)[], value: string | undefined): DraftNode => {
  const copy = structuredClone(node);
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path.at(-1)!;
  // An outcome keeps its name when it is disconnected: it is still an outcome the rep can log.
  if (value === undefined && path[0] !== 'outcomes') delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = value ?? '';
  return copy;
};

/** Points every port (and the start) that leads to `from` at `to` instead (undefined: disconnects them). */
function retarget(journey: DraftJourney, from: string, to: string | undefined): DraftJourney {
  const nodes = journey.nodes.map((n) =>
    portSlots(n)
      .filter((s) => s.target === from)
      .reduce((acc, s) => setAt(acc, s.path, to), n),
  );
  const next: DraftJourney = { ...journey, nodes };
  if (journey.start === from) {
    if (to === undefined) delete next.start;
    else next.start = to;
  }
  return next;
}

const withPositions = (journey: DraftJourney, positions: Record<string, Position>): DraftJourney => ({
  ...journey,
  ui: { ...journey.ui, positions: { ...journey.ui?.positions, ...positions } },
});

const withoutPositions = (journey: DraftJourney, ids: Set<string>): DraftJourney => {
  if (!journey.ui?.positions) return journey;
  return {
    ...journey,
    ui: {
      ...journey.ui,
      positions: Object.fromEntries(Object.entries(journey.ui.positions).filter(([id]) => !ids.has(id))),
    },
  };
};

/** A node id not yet in the journey, from a stem: `wait`, `wait_2`, `wait_3`... */
export function freshId(journey: DraftJourney, stem: string, taken: Set<string> = new Set()): string {
  const used = new Set([...journey.nodes.map((n) => n.id), ...taken]);
  if (!used.has(stem)) return stem;
  for (let i = 2; ; i++) if (!used.has(`${stem}_${i}`)) return `${stem}_${i}`;
}

/** Applies one change; pure: the journey given is not modified. A change that does not apply returns it unchanged. */
export function applyChange(journey: DraftJourney, change: JourneyChange): DraftJourney {
  switch (change.kind) {
    case 'addNode': {
      if (journey.nodes.some((n) => n.id === change.node.id)) return journey;
      return withPositions(
        { ...journey, nodes: [...journey.nodes, structuredClone(change.node)] },
        { [change.node.id]: change.position },
      );
    }
    case 'insertNode': {
      if (journey.nodes.some((n) => n.id === change.node.id)) return journey;
      const { source, handle } = change.after;
      const from = source === TRIGGER_NODE ? undefined : journey.nodes.find((n) => n.id === source);
      const path = from ? handlePath(from, handle) : source === TRIGGER_NODE && handle === 'start' ? [] : undefined;
      if (!path) return journey;
      const before = from ? portSlots(from).find((s) => s.handle === handle)?.target : journey.start;
      const first = portSlots(change.node)[0];
      const node =
        before !== undefined && first ? setAt(change.node, first.path, before) : structuredClone(change.node);
      let next: DraftJourney = { ...journey, nodes: [...journey.nodes, node] };
      next = from
        ? { ...next, nodes: next.nodes.map((n) => (n.id === source ? setAt(n, path, node.id) : n)) }
        : { ...next, start: node.id };
      const moved: Record<string, Position> = {};
      if (change.room > 0) {
        for (const [id, p] of Object.entries(journey.ui?.positions ?? {}))
          if (id !== source && p.y >= change.position.y) moved[id] = { x: p.x, y: p.y + change.room };
      }
      return withPositions(next, { ...moved, [node.id]: change.position });
    }
    case 'removeNodes': {
      const ids = new Set(change.ids.filter((id) => id !== TRIGGER_NODE));
      let next: DraftJourney = { ...journey, nodes: journey.nodes.filter((n) => !ids.has(n.id)) };
      for (const id of ids) next = retarget(next, id, undefined);
      return withoutPositions(next, ids);
    }
    case 'moveNodes':
      return withPositions(journey, change.positions);
    case 'connect': {
      if (change.source === TRIGGER_NODE) return { ...journey, start: change.target };
      if (change.source === change.target) return journey;
      return {
        ...journey,
        nodes: journey.nodes.map((n) => {
          const path = n.id === change.source ? handlePath(n, change.handle) : undefined;
          return path ? setAt(n, path, change.target) : n;
        }),
      };
    }
    case 'disconnect': {
      if (change.source === TRIGGER_NODE) {
        const { start: _start, ...rest } = journey;
        return rest as DraftJourney;
      }
      return {
        ...journey,
        nodes: journey.nodes.map((n) => {
          const path = n.id === change.source ? handlePath(n, change.handle) : undefined;
          return path ? setAt(n, path, undefined) : n;
        }),
      };
    }
    case 'updateNode': {
      const renamed = change.node.id !== change.id;
      if (renamed && (change.node.id === '' || journey.nodes.some((n) => n.id === change.node.id))) return journey;
      let next: DraftJourney = {
        ...journey,
        nodes: journey.nodes.map((n) => (n.id === change.id ? structuredClone(change.node) : n)),
      };
      if (renamed) {
        next = retarget(next, change.id, change.node.id);
        const position = journey.ui?.positions?.[change.id];
        next = withoutPositions(next, new Set([change.id]));
        if (position) next = withPositions(next, { [change.node.id]: position });
      }
      return next;
    }
    case 'updateJourney':
      return { ...journey, ...structuredClone(change.fields) };
    case 'paste': {
      // Pasted nodes get fresh ids; ports between them follow, ports to nodes left behind are dropped.
      const ids = new Map<string, string>();
      const taken = new Set<string>();
      for (const n of change.nodes) {
        const id = freshId(journey, n.id, taken);
        ids.set(n.id, id);
        taken.add(id);
      }
      const pasted = change.nodes.map((n) =>
        portSlots(n).reduce((acc, s) => (s.target === undefined ? acc : setAt(acc, s.path, ids.get(s.target))), {
          ...structuredClone(n),
          id: ids.get(n.id)!,
        }),
      );
      const positions = Object.fromEntries(
        change.nodes.map((n) => [ids.get(n.id)!, change.positions[n.id] ?? { x: 0, y: 0 }]),
      );
      return withPositions({ ...journey, nodes: [...journey.nodes, ...pasted] }, positions);
    }
    case 'replace':
      return structuredClone(change.journey);
  }
}

/** Whether a value looks like a journey the designer can open (an id and a list of nodes). */
export function isDraftJourney(value: unknown): value is DraftJourney {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    Array.isArray(value.nodes) &&
    value.nodes.every((n) => isRecord(n) && typeof n.id === 'string' && typeof n.type === 'string')
  );
}
