import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges, useReactFlow,
  type Connection, type Edge, type EdgeChange, type Node, type NodeChange, type OnSelectionChangeParams,
} from '@xyflow/react';
import { own, validateJourney } from '@baton/engine';
import { api, ApiError, type JourneyDetail, type TeamShape } from '../api.ts';
import {
  freshId, isLaidOut, layoutJourney, readableIssues, newNode, nodeWidth, NODE_SIZE, PALETTE, record, redo, startHistory, toCanvas, TRIGGER_NODE, undo,
  type DraftJourney, type DraftNode, type History, type JourneyChange,
} from '../model/index.ts';
import { Inspector } from './Inspector.tsx';
import { SimPanel, type SimOverlay } from '../sim/SimPanel.tsx';
import { useLiveCounts } from '../reports/liveCounts.ts';
import { NODE_TYPES, type NodeView } from './nodes.tsx';
import { EDGE_TYPES } from './LaneEdge.tsx';

type Action = { type: 'change'; change: JourneyChange } | { type: 'undo' } | { type: 'redo' } | { type: 'reset'; journey: DraftJourney };

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
const withLayout = (j: DraftJourney): DraftJourney => (isLaidOut(j) ? j : { ...j, ui: { ...j.ui, positions: layoutJourney(j) } });
const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);

/** Fields a condition can read, for suggestions: the contact's usual traits, the workspace's scores, event properties. */
function fieldSuggestions(scores: string[]): string[] {
  return [
    ...['contact.company', 'contact.employees', 'contact.title', 'contact.region', 'contact.plan', 'contact.lifecycle', 'contact.ownerId', 'contact.email'],
    ...scores.map((s) => `score.${s}`),
    ...['event.name', 'event.properties.path', 'event.properties.feature', 'event.properties.score'],
  ];
}

interface Loaded {
  detail: JourneyDetail;
  team: TeamShape | null;
  workspace: { scores: Record<string, unknown> };
  journey: DraftJourney;
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
        version ? api<{ definition: unknown }>('GET', `/journeys/${encodeURIComponent(journeyId)}/versions/${version}`) : null,
      ]);
      const definition = old ? old.definition : detail.draftDefinition ?? detail.definition;
      setLoaded({ detail, team, workspace, journey: withLayout(definition as DraftJourney) });
    })().catch((e: Error) => setError(e.message));
  }, [journeyId, version]);
  if (error) return <main className="list"><p className="error-banner">{error}</p></main>;
  if (!loaded) return <main className="list"><p className="muted">Loading…</p></main>;
  return (
    <ReactFlowProvider>
      <EditorLoaded loaded={loaded} version={version} onReload={(detail) => setLoaded({ ...loaded, detail })} />
    </ReactFlowProvider>
  );
}

function EditorLoaded({ loaded, version, onReload }: { loaded: Loaded; version: number | null; onReload: (d: JourneyDetail) => void }) {
  const readOnly = version !== null;
  const [history, dispatch] = useReducer(reducer, loaded.journey, startHistory);
  const journey = history.present;
  const [saved, setSaved] = useState(() => JSON.stringify(loaded.journey));
  const [selection, setSelection] = useState<string[]>([]);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const clipboard = useRef<DraftNode[]>([]);
  const flow = useReactFlow();
  const apply = useCallback((change: JourneyChange) => !readOnly && dispatch({ type: 'change', change }), [readOnly]);
  const fields = useMemo(() => fieldSuggestions(Object.keys(loaded.workspace.scores)), [loaded.workspace]);
  const [simulating, setSimulating] = useState(false);
  const [simOverlay, setOverlay] = useState<SimOverlay | null>(null);
  const [showLive, setShowLive] = useState(false);
  const live = useLiveCounts(journey.id, showLive && !simulating && version === null);
  const overlay = simulating ? simOverlay : live.overlay;

  // Live validation with the engine's own validateJourney, against the workspace's team.
  const validation = useMemo(() => validateJourney(journey, loaded.team ?? undefined), [journey, loaded.team]);
  const readable = useMemo(() => readableIssues(validation.errors), [validation]);
  const issues = useMemo(() => {
    const byNode = new Map<string, string[]>();
    for (const r of readable) byNode.set(r.node, [...(byNode.get(r.node) ?? []), r.text]);
    return byNode;
  }, [readable]);
  const dirty = JSON.stringify(journey) !== saved;

  // Canvas nodes are derived from the journey; dragging moves them locally and records one change at the end.
  const canvas = useMemo(() => toCanvas(journey), [journey]);
  const derived = useMemo<Node[]>(
    () =>
      canvas.nodes.map((n) => ({
        id: n.id,
        type: n.type,
        position: n.position,
        deletable: n.id !== TRIGGER_NODE && !readOnly,
        selected: selection.includes(n.id),
        data: {
          ...n.data,
          problems: issues.get(n.id) ?? [],
          readOnly,
          ...(overlay ? { sim: { current: overlay.current === n.id, visited: n.id === TRIGGER_NODE ? overlay.path.length > 0 : overlay.path.includes(n.id), count: overlay.counts ? own(overlay.counts, n.id) ?? 0 : null, ...(overlay.details && own(overlay.details, n.id) ? { detail: own(overlay.details, n.id) } : {}) } } : {}),
        } satisfies NodeView as unknown as Record<string, unknown>,
      })),
    [canvas, issues, selection, readOnly, overlay],
  );
  const [nodes, setNodes] = useState<Node[]>(derived);
  // Keep what React Flow measured: a node object without `measured` is hidden until measured again, so
  // every edit or overlay update would make the canvas flicker.
  useEffect(() => setNodes((prev) => {
    const measured = new Map(prev.map((n) => [n.id, n.measured]));
    return derived.map((n) => (measured.get(n.id) ? { ...n, measured: measured.get(n.id)! } : n));
  }), [derived]);
  // The test contact's path, drawn over the edges it took.
  const walked = useMemo(() => {
    const steps = overlay ? [TRIGGER_NODE, ...overlay.path] : [];
    return new Set(steps.slice(1).map((to, i) => `${steps[i]}>${to}`));
  }, [overlay]);
  const edges = useMemo<Edge[]>(
    () =>
      canvas.edges.map(({ port, ...e }) => {
        const onPath = walked.has(`${e.source}>${e.target}`);
        return { ...e, data: { lane: port }, deletable: !readOnly, className: onPath ? 'journey-edge sim-path' : 'journey-edge', animated: onPath };
      }),
    [canvas, readOnly, walked],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      setNodes((ns) => applyNodeChanges(changes, ns));
      const done = changes.filter((c): c is NodeChange & { type: 'position'; id: string; position: { x: number; y: number } } => c.type === 'position' && c.dragging === false && !!c.position);
      if (done.length > 0) apply({ kind: 'moveNodes', positions: Object.fromEntries(done.map((c) => [c.id, c.position])) });
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
  const onConnect = useCallback((c: Connection) => c.sourceHandle && apply({ kind: 'connect', source: c.source, handle: c.sourceHandle, target: c.target }), [apply]);
  const onNodesDelete = useCallback((deleted: Node[]) => apply({ kind: 'removeNodes', ids: deleted.map((n) => n.id) }), [apply]);
  const onSelectionChange = useCallback(({ nodes: ns }: OnSelectionChangeParams) => setSelection(ns.map((n) => n.id)), []);

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
        const positions = Object.fromEntries(clipboard.current.map((n) => {
          const p = journey.ui?.positions?.[n.id] ?? { x: 0, y: 0 };
          return [n.id, { x: p.x + 40, y: p.y + 40 }];
        }));
        apply({ kind: 'paste', nodes: clipboard.current, positions });
      } else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [apply, journey, selection]);

  const save = async (): Promise<boolean> => {
    try {
      await api('PUT', `/journeys/${journey.id}/draft`, journey);
      setSaved(JSON.stringify(journey));
      setMessage({ kind: 'ok', text: 'Draft saved' });
      return true;
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
      return false;
    }
  };
  const publish = async () => {
    if (!(await save())) return;
    try {
      const published = await api<{ version: number }>('POST', `/journeys/${journey.id}/publish`);
      onReload(await api<JourneyDetail>('GET', `/journeys/${journey.id}`));
      setMessage({ kind: 'ok', text: `Published version ${published.version}: new contacts enter it now` });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof ApiError ? `${e.message}` : String(e) });
    }
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
  // Fit the laid-out journey into view: the bounds are computed from the layout itself, since React
  // Flow's own store only learns the new positions after this render.
  const autoLayout = () => {
    const positions = layoutJourney(journey);
    apply({ kind: 'moveNodes', positions });
    const boxes = Object.entries(positions).map(([id, p]) => {
      const node = journey.nodes.find((n) => n.id === id);
      return { x: p.x, y: p.y, right: p.x + (node ? nodeWidth(node) : NODE_SIZE.width), bottom: p.y + NODE_SIZE.height };
    });
    const x = Math.min(...boxes.map((b) => b.x));
    const y = Math.min(...boxes.map((b) => b.y));
    void flow.fitBounds({ x, y, width: Math.max(...boxes.map((b) => b.right)) - x, height: Math.max(...boxes.map((b) => b.bottom)) - y }, { padding: 0.1 });
  };

  const selectNode = (id: string) => {
    setSelection([id]);
    const n = nodes.find((x) => x.id === id);
    if (n) void flow.setCenter(n.position.x + 120, n.position.y + 50, { zoom: 1, duration: 300 });
  };
  const selected = selection.length === 1 ? selection[0]! : null;
  const { detail } = loaded;

  return (
    <div className="editor">
      <div className="toolbar">
        <div className="title">
          <strong>{journey.name ?? journey.id}</strong>
          <span className={`pill ${readOnly ? 'archived' : detail.status}`}>{readOnly ? `v${version} · read-only` : detail.status}</span>
          {!readOnly && dirty && <span className="muted small">unsaved changes</span>}
        </div>
        <div className="actions">
          <button onClick={() => dispatch({ type: 'undo' })} disabled={readOnly || history.past.length === 0} title="Undo (Ctrl+Z)">Undo</button>
          <button onClick={() => dispatch({ type: 'redo' })} disabled={readOnly || history.future.length === 0} title="Redo (Ctrl+Shift+Z)">Redo</button>
          <button onClick={autoLayout} disabled={readOnly}>Auto-layout</button>
          <select aria-label="versions" value={version ?? ''} onChange={(e) => (location.hash = e.target.value ? `#/journeys/${journey.id}/versions/${e.target.value}` : `#/journeys/${journey.id}`)}>
            <option value="">{detail.draftDefinition ? 'Draft' : detail.version ? `Latest (v${detail.version})` : 'Draft'}</option>
            {detail.versions.map((v) => (
              <option key={v.version} value={v.version}>v{v.version} · {new Date(v.publishedAt).toLocaleDateString()}</option>
            ))}
          </select>
          {version === null && detail.version !== null && (
            <button className={showLive && !simulating ? 'active-toggle' : ''} onClick={() => { setShowLive(!showLive || simulating); setSimulating(false); }} aria-pressed={showLive && !simulating} title="Contacts that entered each step, from live data">Live numbers</button>
          )}
          <button className={simulating ? 'active-toggle' : ''} onClick={() => setSimulating(!simulating)} aria-pressed={simulating}>Simulate</button>
          <button onClick={exportJson}>Export</button>
          <button onClick={() => void duplicate()}>Duplicate</button>
          {!readOnly && <button onClick={() => void save()} disabled={!dirty}>Save draft</button>}
          {!readOnly && (
            <button
              className="primary"
              onClick={() => void publish()}
              disabled={!validation.valid || (!dirty && !detail.draftDefinition && detail.version !== null)}
              title={validation.valid ? 'Publish as a new version' : 'Fix the problems first'}
            >
              Publish
            </button>
          )}
        </div>
      </div>
      {message && <div className={`flash ${message.kind}`} role="status" onClick={() => setMessage(null)}>{message.text}</div>}
      {live.error && <div className="flash error" role="alert">Live numbers: {live.error}</div>}
      <div className="workspace">
        <aside className="palette" aria-label="palette">
          <h3>Add a step</h3>
          {PALETTE.map((p) => (
            <div
              key={p.type}
              className={`palette-item type-${p.type}`}
              draggable={!readOnly}
              data-testid={`palette-${p.type}`}
              onDragStart={(e) => {
                e.dataTransfer.setData('application/baton-node', p.type);
                e.dataTransfer.effectAllowed = 'move';
              }}
            >
              <strong>{p.title}</strong>
              <span>{p.hint}</span>
            </div>
          ))}
          <div className={`problems ${validation.valid ? 'ok' : 'bad'}`} aria-label="problems">
            <h3>{validation.valid ? '✓ Ready to publish' : `${readable.length} problem${readable.length > 1 ? 's' : ''}`}</h3>
            <ul>
              {readable.map((r, i) => (
                <li key={i} onClick={() => selectNode(r.node)} data-testid="problem">{r.text}</li>
              ))}
            </ul>
          </div>
        </aside>
        <div className="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} data-testid="canvas">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onNodesDelete={onNodesDelete}
            onSelectionChange={onSelectionChange}
            deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
            multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            fitView
            fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
            minZoom={0.1}
            onlyRenderVisibleElements
            edgeTypes={EDGE_TYPES}
            defaultEdgeOptions={{ type: 'lane' }}
          >
            <Background gap={20} size={1} />
            <MiniMap pannable zoomable nodeStrokeWidth={3} position="top-right" />
            <Controls />
          </ReactFlow>
        </div>
        {simulating ? (
          <SimPanel journey={journey} team={loaded.team} workspace={loaded.workspace} valid={validation.valid} onOverlay={setOverlay} />
        ) : (
          <Inspector journey={journey} selected={selected} team={loaded.team} fields={fields} readOnly={readOnly} apply={apply} />
        )}
      </div>
    </div>
  );
}
