import { lazy, Suspense, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import { validateJourney } from '@baton/engine/internal';
import { api, ApiError, type JourneyDetail, type TeamShape } from '../api.ts';
import {
  arrivals,
  backupKey,
  freshId,
  isLaidOut,
  framingViewport,
  journeyToOpen,
  wholeViewport,
  openingViewport,
  openPort,
  freePlace,
  placeAfter,
  portCentre,
  portSlots,
  readBackup,
  readableIssues,
  newNode,
  nodeWidth,
  NODE_SIZE,
  record,
  redo,
  startHistory,
  toCanvas,
  TRIGGER_NODE,
  undo,
  type DraftJourney,
  type DraftNode,
  type History,
  type JourneyChange,
  type Rect,
} from '../model/index.ts';
import { useAfterPaint } from './afterPaint.ts';
import { autoLayout } from './autoLayout.ts';
import { cardHeight, estimatedHandles } from './handles.ts';
import { Palette } from './Palette.tsx';
import { StepMenu, StepMenuContext, type StepPlace } from './StepMenu.tsx';
import { StepSearch } from './StepSearch.tsx';
import { useAutosave, type SaveState } from './useAutosave.ts';
import { Inspector } from './Inspector.tsx';
import { hasWaiting, type MigrationPlan } from './migrationPlan.ts';
import type { SimOverlay } from '../sim/SimPanel.tsx';
import { useLiveCounts } from '../reports/liveCounts.ts';
import { NODE_TYPES, type NodeView } from './nodes.tsx';
import { EDGE_TYPES } from './LaneEdge.tsx';

// What the editor opens only on request loads then: simulation (and its engine), the publish dialogs.
const SimPanel = lazy(() => import('../sim/SimPanel.tsx').then((m) => ({ default: m.SimPanel })));
const PublishChanges = lazy(() => import('./PublishChanges.tsx').then((m) => ({ default: m.PublishChanges })));
const MigrationStep = lazy(() => import('./MigrationStep.tsx').then((m) => ({ default: m.MigrationStep })));

type Action =
  | { type: 'change'; change: JourneyChange }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'reset'; journey: DraftJourney };

function reducer(state: History, action: Action): History {
  switch (action.type) {
    case 'change':
      return record(state, action.change);
    case 'undo':
      return undo(state);
    case 'redo':
      return redo(state);
    case 'reset':
      return startHistory(action.journey);
  }
}

// A journey with any node unplaced (imported, written by hand) is laid out whole: partial positions would overlap.
const withLayout = async (j: DraftJourney): Promise<DraftJourney> =>
  isLaidOut(j) ? j : { ...j, ui: { ...j.ui, positions: await autoLayout(j) } };
/** The farthest the canvas zooms out. */
const MIN_ZOOM = 0.1;

/**
 * Up to how many steps the minimap is shown when a journey opens. Past it the journey squeezed into the
 * minimap's box is a line a pixel wide (a 1,000-step chain is 400 times taller than wide), and the
 * minimap redraws every step's box on each edit; step search finds a step instead. The control button
 * shows it anyway.
 */
const MINIMAP_STEPS = 200;
/** Below this window width the minimap would cover a quarter of the canvas: it opens hidden (the button shows it). */
const MINIMAP_MIN_WIDTH = 1200;
/** A step's box on the canvas: measured when React Flow has drawn it, else its size for layout. */
const boxOf = (journey: DraftJourney, id: string, measured?: { width?: number; height?: number }): Rect => {
  const p = journey.ui?.positions?.[id] ?? { x: 0, y: 0 };
  const node = journey.nodes.find((n) => n.id === id);
  return {
    x: p.x,
    y: p.y,
    width: measured?.width ?? (node ? nodeWidth(node) : NODE_SIZE.width),
    height: measured?.height ?? cardHeight(node ?? null),
  };
};
/** A node as React Flow measured it: with its size, and without estimated handles (its own measured ones count). */
const measuredNode = ({ handles: _, ...n }: Node, measured: NonNullable<Node['measured']>): Node => ({
  ...n,
  measured,
});
const NO_PROBLEMS: string[] = [];
/** A step as simulation or live numbers show it. */
const simView = (overlay: SimOverlay, id: string): NonNullable<NodeView['sim']> => ({
  current: overlay.current === id,
  visited: id === TRIGGER_NODE ? overlay.path.length > 0 : overlay.path.includes(id),
  count: overlay.counts ? (overlay.counts[id] ?? 0) : null,
  ...(overlay.details?.[id] ? { detail: overlay.details[id] } : {}),
  ...(overlay.converted && overlay.counts?.[id] ? { converted: overlay.converted[id] ?? 0 } : {}),
});
/** Two edges that draw the same: the same ends and ports, data and look. */
const sameEdge = (a: Edge, b: Edge) =>
  a.source === b.source &&
  a.target === b.target &&
  a.sourceHandle === b.sourceHandle &&
  a.deletable === b.deletable &&
  a.className === b.className &&
  a.animated === b.animated &&
  Object.entries(b.data ?? {}).every(([k, v]) => Object.is(v, a.data?.[k]));
const saveWords = (s: SaveState, dirty: boolean) =>
  s.kind === 'error'
    ? `not saved: ${s.message}`
    : s.kind === 'saving'
      ? 'saving…'
      : dirty
        ? 'unsaved changes'
        : 'all changes saved';
const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement &&
  (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);

/** Fields a condition can read, for suggestions: the contact's usual traits, the workspace's scores, event properties. */
function fieldSuggestions(scores: string[]): string[] {
  return [
    ...[
      'contact.company',
      'contact.employees',
      'contact.title',
      'contact.region',
      'contact.plan',
      'contact.lifecycle',
      'contact.ownerId',
      'contact.email',
    ],
    ...scores.map((s) => `score.${s}`),
    ...['event.name', 'event.properties.path', 'event.properties.feature', 'event.properties.score'],
  ];
}

interface Loaded {
  detail: JourneyDetail;
  team: TeamShape | null;
  workspace: { scores: Record<string, unknown> };
  journey: DraftJourney;
  /** The journey as the server has it (what is saved), as JSON. */
  saved: string;
  /** When the unsaved changes restored from the browser were made, if any were. */
  restored: string | null;
}

/** The editor of one journey: palette, canvas, inspector, problems, and saving, publishing and versions. */
export function Editor({ journeyId, version }: { journeyId: string; version: number | null }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    (async () => {
      // Independent reads, in parallel.
      const [detail, team, workspace, old] = await Promise.all([
        api<JourneyDetail>('GET', `/journeys/${encodeURIComponent(journeyId)}`),
        api<TeamShape>('GET', '/team').catch(() => null),
        api<Loaded['workspace']>('GET', '/workspace').catch(() => ({ scores: {} })),
        version
          ? api<{ definition: unknown }>('GET', `/journeys/${encodeURIComponent(journeyId)}/versions/${version}`)
          : null,
      ]);
      const definition = (old ? old.definition : (detail.draftDefinition ?? detail.definition)) as DraftJourney;
      // Changes made here and not yet saved (a reload, a crash, a closed tab) come back.
      const open = old
        ? { journey: definition, restored: null }
        : journeyToOpen(definition, readBackup(localStorage.getItem(backupKey(journeyId))));
      const journey = await withLayout(open.journey);
      setLoaded({
        detail,
        team,
        workspace,
        journey,
        saved: JSON.stringify(open.restored ? definition : journey),
        restored: open.restored,
      });
    })().catch((e: Error) => setError(e.message));
  }, [journeyId, version]);
  if (error)
    return (
      <main className="list">
        <p className="error-banner">{error}</p>
      </main>
    );
  if (!loaded)
    return (
      <main className="list">
        <p className="muted">Loading…</p>
      </main>
    );
  return (
    <ReactFlowProvider>
      <EditorLoaded loaded={loaded} version={version} onReload={(detail) => setLoaded({ ...loaded, detail })} />
    </ReactFlowProvider>
  );
}

function EditorLoaded({
  loaded,
  version,
  onReload,
}: {
  loaded: Loaded;
  version: number | null;
  onReload: (d: JourneyDetail) => void;
}) {
  const readOnly = version !== null;
  const [history, dispatch] = useReducer(reducer, loaded.journey, startHistory);
  const journey = history.present;
  const latest = useRef(journey);
  latest.current = journey;
  // What can wait a frame waits for it: an edit is drawn first, then checked and backed up.
  const settled = useAfterPaint(journey);
  const autosave = useAutosave(journey, loaded.saved, readOnly);
  const { dirty } = autosave;
  const [hasDraft, setHasDraft] = useState(loaded.detail.draftDefinition !== null || loaded.restored !== null);
  const [selection, setSelection] = useState<string[]>([]);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(
    loaded.restored
      ? { kind: 'ok', text: `Restored the changes you had not saved (${new Date(loaded.restored).toLocaleString()}).` }
      : null,
  );
  const [menu, setMenu] = useState<{ place: StepPlace; anchor: DOMRect } | null>(null);
  const [laying, setLaying] = useState(false);
  const clipboard = useRef<DraftNode[]>([]);
  const canvasRef = useRef<HTMLDivElement>(null);
  const flow = useReactFlow();
  const apply = useCallback((change: JourneyChange) => !readOnly && dispatch({ type: 'change', change }), [readOnly]);
  const fields = useMemo(() => fieldSuggestions(Object.keys(loaded.workspace.scores)), [loaded.workspace]);
  const [simulating, setSimulating] = useState(false);
  const [simOverlay, setOverlay] = useState<SimOverlay | null>(null);
  const [showLive, setShowLive] = useState(false);
  const [showMap, setShowMap] = useState(
    () => loaded.journey.nodes.length <= MINIMAP_STEPS && window.innerWidth >= MINIMAP_MIN_WIDTH,
  );
  const live = useLiveCounts(journey.id, showLive && !simulating && version === null);
  const overlay = simulating ? simOverlay : live.overlay;
  useEffect(() => {
    if (dirty) setHasDraft(true);
  }, [dirty]);

  // Live validation with the engine's own validateJourney, against the workspace's team, once the edit is drawn
  // (about 65 ms for 1,000 steps).
  const validation = useMemo(() => validateJourney(settled, loaded.team ?? undefined), [settled, loaded.team]);
  const readable = useMemo(() => readableIssues(validation.errors, settled), [validation, settled]);
  const issues = useMemo(() => {
    const byNode = new Map<string, string[]>();
    for (const r of readable) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r.text]);
    return byNode;
  }, [readable]);

  // Canvas nodes are derived from the journey; dragging moves them locally and records one change at the end.
  // A node whose inputs did not change keeps its object, so React Flow takes up only the nodes an edit changed.
  const canvas = useMemo(() => toCanvas(journey), [journey]);
  const made = useRef(new Map<string, { inputs: unknown[]; node: Node }>());
  const derived = useMemo<Node[]>(() => {
    const before = made.current;
    const now = new Map<string, { inputs: unknown[]; node: Node }>();
    const nodes = canvas.nodes.map((n) => {
      const problems = issues.get(n.id) ?? NO_PROBLEMS;
      const sim = overlay ? simView(overlay, n.id) : undefined;
      const inputs = [
        'node' in n.data ? n.data.node : n.data.trigger,
        n.position.x,
        n.position.y,
        problems.join('\n'),
        selection.includes(n.id),
        readOnly,
        sim?.current,
        sim?.visited,
        sim?.count,
        sim?.detail,
      ];
      const was = before.get(n.id);
      const node = was && inputs.every((v, i) => Object.is(v, was.inputs[i])) ? was.node : derive(n, problems, sim);
      now.set(n.id, { inputs, node });
      return node;
    });
    made.current = now;
    return nodes;
    function derive(n: (typeof canvas.nodes)[number], problems: string[], sim: NodeView['sim']): Node {
      const node = 'node' in n.data ? n.data.node : null;
      const width = node ? nodeWidth(node) : NODE_SIZE.width;
      const height = cardHeight(node);
      return {
        id: n.id,
        type: n.type,
        position: n.position,
        // Known before React Flow measures: the minimap and the culling of off-screen steps use it.
        initialWidth: width,
        initialHeight: height,
        // And where the handles will be: React Flow draws only the steps in view, not every one to measure it.
        handles: estimatedHandles(node, width, height),
        deletable: n.id !== TRIGGER_NODE && !readOnly,
        selected: selection.includes(n.id),
        data: {
          ...n.data,
          problems,
          readOnly,
          ...(sim ? { sim } : {}),
        } satisfies NodeView as unknown as Record<string, unknown>,
      };
    }
  }, [canvas, issues, selection, readOnly, overlay]);
  const [nodes, setNodes] = useState<Node[]>(derived);
  // Keep what React Flow measured: a node object without `measured` is hidden until measured again, so
  // every edit or overlay update would make the canvas flicker. A node whose derivation did not change is
  // left as React Flow has it (measured, or where it is being dragged).
  const adopted = useRef(new Map<string, Node>(derived.map((n) => [n.id, n])));
  useEffect(() => {
    const from = adopted.current;
    adopted.current = new Map(derived.map((n) => [n.id, n]));
    setNodes((prev) => {
      const had = new Map(prev.map((n) => [n.id, n]));
      const next = derived.map((n) => {
        const p = had.get(n.id);
        if (p && from.get(n.id) === n) return p;
        return p?.measured ? measuredNode(n, p.measured) : n;
      });
      return next.length === prev.length && next.every((n, i) => n === prev[i]) ? prev : next;
    });
  }, [derived]);
  // The test contact's path, drawn over the edges it took.
  const walked = useMemo(() => {
    const steps = overlay ? [TRIGGER_NODE, ...overlay.path] : [];
    return new Set(steps.slice(1).map((to, i) => `${steps[i]}>${to}`));
  }, [overlay]);
  // Where each edge ends on its target: edges into one step each get their own spot and lane.
  const ends = useMemo(() => {
    const byId = new Map(journey.nodes.map((n) => [n.id, n]));
    const positions = journey.ui?.positions ?? {};
    const widthOf = (id: string) => {
      const n = byId.get(id);
      return n ? nodeWidth(n) : NODE_SIZE.width;
    };
    const ports = (id: string) => {
      const n = byId.get(id);
      return n ? portSlots(n).length : 1;
    };
    return {
      ports,
      at: arrivals(
        canvas.edges,
        (e) => portCentre(positions[e.source] ?? { x: 0, y: 0 }, widthOf(e.source), e.port, ports(e.source)),
        widthOf,
      ),
    };
  }, [canvas, journey]);
  const drawnEdges = useRef<Edge[]>([]);
  const edges = useMemo<Edge[]>(() => {
    const before = new Map(drawnEdges.current.map((e) => [e.id, e]));
    const next = canvas.edges.map(({ port, label, ...e }): Edge => {
      const onPath = walked.has(`${e.source}>${e.target}`);
      const end = ends.at.get(e.id) ?? { offset: 0, lane: 0 };
      const portCount = ends.ports;
      const edge = {
        ...e,
        data: {
          lane: port,
          ports: portCount(e.source),
          label,
          offset: end.offset,
          arriveLane: end.lane,
          handle: e.sourceHandle,
          readOnly,
        },
        deletable: !readOnly,
        className: onPath ? 'journey-edge sim-path' : 'journey-edge',
        animated: onPath,
      };
      // An edge that did not change keeps its object, and the list its array when none did.
      const was = before.get(e.id);
      return was && sameEdge(was, edge) ? was : edge;
    });
    const same = next.length === drawnEdges.current.length && next.every((e, i) => e === drawnEdges.current[i]);
    if (!same) drawnEdges.current = next;
    return drawnEdges.current;
  }, [canvas, readOnly, walked, ends]);

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      setNodes((ns) => {
        const next = applyNodeChanges(changes, ns);
        // A step drawn for the first time was measured: its measured handles replace the estimate.
        return changes.some((c) => c.type === 'dimensions')
          ? next.map((n) => (n.measured && n.handles ? measuredNode(n, n.measured) : n))
          : next;
      });
      const done = changes.filter(
        (c): c is NodeChange & { type: 'position'; id: string; position: { x: number; y: number } } =>
          c.type === 'position' && c.dragging === false && !!c.position,
      );
      if (done.length > 0)
        apply({ kind: 'moveNodes', positions: Object.fromEntries(done.map((c) => [c.id, c.position])) });
    },
    [apply],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      for (const c of changes) {
        if (c.type !== 'remove') continue;
        const edge = canvas.edges.find((e) => e.id === c.id);
        if (edge) apply({ kind: 'disconnect', source: edge.source, handle: edge.sourceHandle });
      }
    },
    [apply, canvas],
  );
  const onConnect = useCallback(
    (c: Connection) =>
      c.sourceHandle && apply({ kind: 'connect', source: c.source, handle: c.sourceHandle, target: c.target }),
    [apply],
  );
  const onNodesDelete = useCallback(
    (deleted: Node[]) => apply({ kind: 'removeNodes', ids: deleted.map((n) => n.id) }),
    [apply],
  );
  const onSelectionChange = useCallback(
    ({ nodes: ns }: OnSelectionChangeParams) => setSelection(ns.map((n) => n.id)),
    [],
  );

  /** Shows a step, at a zoom it can be read at. */
  const reveal = useCallback(
    (box: Rect) => {
      void flow.setCenter(box.x + box.width / 2, box.y + box.height / 2, { zoom: Math.max(flow.getZoom(), 0.8) });
    },
    [flow],
  );

  /**
   * Shows a step just added: where it is, when it is in view at a zoom it can be read at (the view does
   * not move under the user); else the view pans the least that brings it in; else as `reveal`.
   */
  const bringIntoView = useCallback(
    (box: Rect) => {
      const rect = canvasRef.current?.getBoundingClientRect();
      const { x, y, zoom } = flow.getViewport();
      if (!rect || zoom < 0.5) return reveal(box);
      const margin = 24 / zoom;
      const shift = (start: number, size: number, viewStart: number, viewSize: number) =>
        start - margin < viewStart
          ? start - margin - viewStart
          : start + size + margin > viewStart + viewSize
            ? start + size + margin - (viewStart + viewSize)
            : 0;
      const dx = shift(box.x, box.width, -x / zoom, rect.width / zoom);
      const dy = shift(box.y, box.height, -y / zoom, rect.height / zoom);
      if (dx !== 0 || dy !== 0) void flow.setViewport({ x: x - dx * zoom, y: y - dy * zoom, zoom });
    },
    [flow, reveal],
  );

  /**
   * Adds a step: after the given port (in place: the port's old target follows the new step), else after
   * the first open port of the selected step (with none selected, of the latest step left open), else in
   * the middle of the view.
   */
  const addStep = useCallback(
    (type: string, place?: StepPlace) => {
      if (readOnly) return;
      const node = newNode(journey, type, loaded.team ?? undefined);
      // After the selected step; with none selected, after the latest step (or the entry) left open.
      const only = selection.length === 1 ? selection[0]! : null;
      const from =
        only ??
        [TRIGGER_NODE, ...journey.nodes.map((n) => n.id)].reverse().find((id) => openPort(journey, id) !== undefined) ??
        null;
      const open = from ? openPort(journey, from) : undefined;
      const after = place ?? (from && open ? { source: from, handle: open } : null);
      let box: Rect;
      if (after) {
        const { position, room } = placeAfter(journey, after.source, after.handle, node);
        apply({ kind: 'insertNode', node, position, after, room });
        box = { ...position, width: nodeWidth(node), height: NODE_SIZE.height };
      } else {
        const rect = canvasRef.current!.getBoundingClientRect();
        const centre = flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
        const position = freePlace(
          journey,
          { x: Math.round(centre.x - nodeWidth(node) / 2), y: Math.round(centre.y - NODE_SIZE.height / 2) },
          node,
        );
        apply({ kind: 'addNode', node, position });
        box = { ...position, width: nodeWidth(node), height: NODE_SIZE.height };
      }
      setSelection([node.id]);
      setMenu(null);
      bringIntoView(box);
    },
    [apply, bringIntoView, flow, journey, loaded.team, readOnly, selection],
  );
  const stepMenu = useMemo(
    () => (readOnly ? null : { open: (place: StepPlace, anchor: DOMRect) => setMenu({ place, anchor }) }),
    [readOnly],
  );

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      e.preventDefault();
      const type = e.dataTransfer.getData('application/baton-node');
      if (!type || readOnly) return;
      const node = newNode(journey, type, loaded.team ?? undefined);
      apply({ kind: 'addNode', node, position: flow.screenToFlowPosition({ x: e.clientX - 110, y: e.clientY - 30 }) });
      setSelection([node.id]);
    },
    [apply, flow, journey, loaded.team, readOnly],
  );

  // Keyboard: undo/redo, copy and paste (Delete and Backspace are React Flow's).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || !(e.ctrlKey || e.metaKey)) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) dispatch({ type: 'undo' });
      else if ((key === 'z' && e.shiftKey) || key === 'y') dispatch({ type: 'redo' });
      else if (key === 'c') clipboard.current = journey.nodes.filter((n) => selection.includes(n.id));
      else if (key === 'v' && clipboard.current.length > 0) {
        const positions = Object.fromEntries(
          clipboard.current.map((n) => {
            const p = journey.ui?.positions?.[n.id] ?? { x: 0, y: 0 };
            return [n.id, { x: p.x + 40, y: p.y + 40 }];
          }),
        );
        apply({ kind: 'paste', nodes: clipboard.current, positions });
      } else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [apply, journey, selection]);

  const save = async (): Promise<boolean> => {
    const ok = await autosave.saveNow();
    setMessage(ok ? { kind: 'ok', text: 'Draft saved' } : null);
    return ok;
  };
  // When contacts wait in a published version, Publish first opens the migration step (issue #18).
  const [migration, setMigration] = useState<MigrationPlan | null>(null);
  const [reviewing, setReviewing] = useState(false);
  const publish = async () => {
    if (dirty && !(await save())) return;
    try {
      if (loaded.detail.version !== null) {
        const plan = await api<MigrationPlan>('POST', `/journeys/${encodeURIComponent(journey.id)}/migration-plan`, {
          journey,
          migrate: {},
        });
        if (hasWaiting(plan)) return setMigration(plan);
        // Nobody waits: review what changed since the published version, then publish.
        return setReviewing(true);
      }
      await publishWith(undefined);
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof ApiError ? `${e.message}` : String(e) });
    }
  };
  const publishWith = async (migrate: Record<string, string> | undefined) => {
    setMigration(null);
    setReviewing(false);
    try {
      const published = await api<{ version: number; migration?: { moved: number } }>(
        'POST',
        `/journeys/${journey.id}/publish`,
        migrate === undefined ? undefined : { migrate },
      );
      onReload(await api<JourneyDetail>('GET', `/journeys/${journey.id}`));
      setHasDraft(false);
      const moved = published.migration
        ? `; ${published.migration.moved} waiting contact${published.migration.moved === 1 ? '' : 's'} moved to it`
        : '';
      setMessage({ kind: 'ok', text: `Published version ${published.version}: new contacts enter it now${moved}` });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof ApiError ? `${e.message}` : String(e) });
    }
  };
  const discardRestored = () => {
    dispatch({ type: 'reset', journey: JSON.parse(loaded.saved) as DraftJourney });
    localStorage.removeItem(backupKey(journey.id));
    setMessage(null);
  };
  const duplicate = async () => {
    const id = freshId({ ...journey, nodes: [] }, `${journey.id}-copy`);
    try {
      await api('POST', '/journeys', { ...journey, id, name: `${journey.name ?? journey.id} (copy)` });
      location.hash = `#/journeys/${id}`;
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  const exportJson = () => {
    const url = URL.createObjectURL(new Blob([`${JSON.stringify(journey, null, 2)}\n`], { type: 'application/json' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: `${journey.id}.json` });
    a.click();
    URL.revokeObjectURL(url);
  };
  /** The whole journey in view with the overlays' room kept free, or its entry when that is not readable. */
  const frame = useCallback(
    (j: DraftJourney) => {
      const rect = canvasRef.current?.getBoundingClientRect();
      if (!rect) return;
      const measured = new Map(flow.getNodes().map((n) => [n.id, n.measured]));
      const boxes = [TRIGGER_NODE, ...j.nodes.map((n) => n.id)].map((id) => boxOf(j, id, measured.get(id)));
      void flow.setViewport(openingViewport(boxes, boxes[0]!, rect.width, rect.height));
    },
    [flow],
  );
  /** Fit view: the whole journey, at whatever zoom it takes. */
  const fitWhole = useCallback(() => {
    const rect = canvasRef.current?.getBoundingClientRect();
    if (!rect) return;
    const j = latest.current;
    const measured = new Map(flow.getNodes().map((n) => [n.id, n.measured]));
    const boxes = [TRIGGER_NODE, ...j.nodes.map((n) => n.id)].map((id) => boxOf(j, id, measured.get(id)));
    void flow.setViewport(wholeViewport(boxes, rect.width, rect.height, MIN_ZOOM));
  }, [flow]);
  // Lay out with the sizes React Flow measured, then show the result whole.
  const layoutNow = async () => {
    setLaying(true);
    try {
      const sizes = new Map(
        flow
          .getNodes()
          .filter((n) => n.measured?.width && n.measured.height)
          .map((n) => [n.id, { width: n.measured!.width!, height: n.measured!.height! }]),
      );
      const laid = await autoLayout(journey, sizes);
      // The journey may have changed while the layout ran (a rename): place only the steps still there.
      const now = latest.current;
      const ids = new Set([TRIGGER_NODE, ...now.nodes.map((n) => n.id)]);
      const positions = Object.fromEntries(Object.entries(laid).filter(([id]) => ids.has(id)));
      apply({ kind: 'moveNodes', positions });
      frame({ ...now, ui: { ...now.ui, positions: { ...now.ui?.positions, ...positions } } });
    } catch (e) {
      setMessage({ kind: 'error', text: `Auto-layout failed: ${(e as Error).message}` });
    } finally {
      setLaying(false);
    }
  };

  // The test contact's path, framed on the canvas as it grows: the whole path when it can be read whole,
  // else where the contact is.
  const simPath = simulating && simOverlay && simOverlay.path.length > 0 ? simOverlay.path.join('>') : '';
  useEffect(() => {
    const rect = canvasRef.current?.getBoundingClientRect();
    if (!simPath || !rect) return;
    const j = latest.current;
    const ids = [TRIGGER_NODE, ...simPath.split('>')].filter(
      (id) => id === TRIGGER_NODE || j.nodes.some((n) => n.id === id),
    );
    const measured = new Map(flow.getNodes().map((n) => [n.id, n.measured]));
    const boxes = ids.map((id) => boxOf(j, id, measured.get(id)));
    void flow.setViewport(framingViewport(boxes, boxes[boxes.length - 1]!, rect.width, rect.height));
  }, [simPath, flow]);

  const jumpTo = (id: string) => {
    setSelection([id]);
    const n = flow.getNode(id);
    reveal(boxOf(journey, id, n?.measured));
  };
  const selected = selection.length === 1 ? selection[0]! : null;
  const { detail } = loaded;
  const unpublished = !readOnly && detail.version !== null && (hasDraft || dirty);

  return (
    <div className="editor">
      <div className="toolbar">
        <div className="title">
          <strong title={journey.name ?? journey.id}>{journey.name ?? journey.id}</strong>
          <span className={`pill ${readOnly ? 'archived' : detail.status}`} data-testid="status-pill">
            {readOnly ? `v${version} · read-only` : detail.status}
          </span>
          {unpublished && (
            <span className="pill draft" data-testid="unpublished">
              unpublished changes
            </span>
          )}
          {!readOnly && (
            <span
              className={`small ${autosave.state.kind === 'error' ? 'bad' : 'muted'}`}
              data-testid="save-state"
              aria-live="polite"
            >
              {saveWords(autosave.state, dirty)}
            </span>
          )}
        </div>
        <div className="actions">
          <button
            type="button"
            onClick={() => dispatch({ type: 'undo' })}
            disabled={readOnly || history.past.length === 0}
            title="Undo (Ctrl+Z)"
          >
            Undo
          </button>
          <button
            type="button"
            onClick={() => dispatch({ type: 'redo' })}
            disabled={readOnly || history.future.length === 0}
            title="Redo (Ctrl+Shift+Z)"
          >
            Redo
          </button>
          <button type="button" onClick={() => void layoutNow()} disabled={readOnly || laying}>
            {laying ? 'Laying out…' : 'Auto-layout'}
          </button>
          <select
            aria-label="versions"
            value={version ?? ''}
            onChange={(e) =>
              (location.hash = e.target.value
                ? `#/journeys/${journey.id}/versions/${e.target.value}`
                : `#/journeys/${journey.id}`)
            }
          >
            <option value="">
              {detail.version === null || unpublished || readOnly ? 'Draft' : `Latest (v${detail.version})`}
            </option>
            {detail.versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} · {new Date(v.publishedAt).toLocaleDateString()}
              </option>
            ))}
          </select>
          {version === null && detail.version !== null && (
            <button
              type="button"
              className={showLive && !simulating ? 'active-toggle' : ''}
              onClick={() => {
                setShowLive(!showLive || simulating);
                setSimulating(false);
              }}
              aria-pressed={showLive && !simulating}
              title="Contacts that entered each step, from live data"
            >
              Live numbers
            </button>
          )}
          <button
            type="button"
            className={simulating ? 'active-toggle' : ''}
            onClick={() => setSimulating(!simulating)}
            aria-pressed={simulating}
          >
            Simulate
          </button>
          <button type="button" onClick={exportJson}>
            Export
          </button>
          <button type="button" onClick={() => void duplicate()}>
            Duplicate
          </button>
          {!readOnly && (
            <button type="button" onClick={() => void save()} disabled={!dirty}>
              Save draft
            </button>
          )}
          {!readOnly && (
            <button
              type="button"
              className="primary"
              onClick={() => void publish()}
              disabled={!validation.valid || (!dirty && !hasDraft && detail.version !== null)}
              title={validation.valid ? 'Publish as a new version' : 'Fix the problems first'}
            >
              Publish
            </button>
          )}
        </div>
        {/* Over the canvas, not above it: a message never moves the steps down. */}
        <div className="toasts">
          {readOnly && (
            <div className="flash readonly" role="note">
              Version {version} is read-only: what contacts went through then.{' '}
              <a href={`#/journeys/${encodeURIComponent(journey.id)}`}>Open the draft</a> to change the journey.
            </div>
          )}
          {message && (
            <div className={`flash ${message.kind}`} role="status">
              {message.text}
              {loaded.restored && message.text.startsWith('Restored') && (
                <button type="button" className="link" onClick={discardRestored}>
                  Discard them
                </button>
              )}
              <button type="button" className="icon" aria-label="dismiss" onClick={() => setMessage(null)}>
                ✕
              </button>
            </div>
          )}
          {live.error && (
            <div className="flash error" role="alert">
              Live numbers: {live.error}
            </div>
          )}
        </div>
      </div>
      <Suspense fallback={null}>
        {reviewing && loaded.detail.definition !== null && (
          <PublishChanges
            published={loaded.detail.definition as DraftJourney}
            draft={journey}
            version={Math.max(0, ...loaded.detail.versions.map((v) => v.version)) + 1}
            onPublish={() => void publishWith(undefined)}
            onCancel={() => setReviewing(false)}
          />
        )}
        {migration && (
          <MigrationStep
            journey={journey}
            first={migration}
            onPublish={(m) => void publishWith(m)}
            onCancel={() => setMigration(null)}
          />
        )}
      </Suspense>
      <div className="workspace">
        <Palette readOnly={readOnly} onAdd={(type) => addStep(type)}>
          <section className={`problems ${validation.valid ? 'ok' : 'bad'}`} aria-label="problems">
            <h3>
              {validation.valid ? '✓ Ready to publish' : `${readable.length} problem${readable.length > 1 ? 's' : ''}`}
            </h3>
            <ul>
              {readable.map((r, i) => (
                <li key={i} data-testid="problem">
                  <button type="button" className="problem" onClick={() => jumpTo(r.node)}>
                    {r.text}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        </Palette>
        <section
          className="canvas"
          aria-label="journey canvas"
          ref={canvasRef}
          onDragOver={(e) => e.preventDefault()}
          onDrop={onDrop}
          data-testid="canvas"
          aria-busy={laying}
        >
          <StepMenuContext.Provider value={stepMenu}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onNodesDelete={onNodesDelete}
              onSelectionChange={onSelectionChange}
              onInit={() => frame(journey)}
              deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
              multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              minZoom={MIN_ZOOM}
              onlyRenderVisibleElements
              edgeTypes={EDGE_TYPES}
              defaultEdgeOptions={{ type: 'lane' }}
            >
              <Background gap={20} size={1} />
              {showMap && <MiniMap pannable zoomable nodeStrokeWidth={3} position="bottom-right" ariaLabel="minimap" />}
              {/* Fit view on the journey's boxes: React Flow's own fits only the steps it has measured (drawn). */}
              <Controls showFitView={false}>
                <ControlButton
                  className="react-flow__controls-fitview"
                  onClick={fitWhole}
                  title="Fit View"
                  aria-label="Fit View"
                >
                  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 30" aria-hidden="true">
                    <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
                  </svg>
                </ControlButton>
                <ControlButton
                  onClick={() => setShowMap((shown) => !shown)}
                  title={showMap ? 'Hide minimap' : 'Show minimap'}
                  aria-label={showMap ? 'Hide minimap' : 'Show minimap'}
                  aria-pressed={showMap}
                >
                  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" aria-hidden="true">
                    <path
                      d="M1 3l4.5-2 5 2L15 1v12l-4.5 2-5-2L1 15zm4.5 0v10m5-8v10"
                      fill="none"
                      stroke="currentColor"
                      strokeWidth="1.5"
                    />
                  </svg>
                </ControlButton>
              </Controls>
            </ReactFlow>
            <StepSearch journey={journey} onJump={jumpTo} />
          </StepMenuContext.Provider>
          {menu && (
            <StepMenu anchor={menu.anchor} onPick={(type) => addStep(type, menu.place)} onClose={() => setMenu(null)} />
          )}
        </section>
        {simulating ? (
          <Suspense
            fallback={
              <aside className="inspector sim" aria-label="simulation">
                <p className="muted">Loading…</p>
              </aside>
            }
          >
            <SimPanel
              journey={journey}
              team={loaded.team}
              workspace={loaded.workspace}
              valid={validation.valid}
              onOverlay={setOverlay}
            />
          </Suspense>
        ) : (
          <Inspector
            journey={journey}
            selected={selected}
            team={loaded.team}
            fields={fields}
            readOnly={readOnly}
            apply={apply}
          />
        )}
      </div>
    </div>
  );
}
