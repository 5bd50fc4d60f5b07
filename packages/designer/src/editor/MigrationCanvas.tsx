import { useMemo } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider, type Edge, type Node } from '@xyflow/react';
import {
  isLaidOut,
  layoutJourney,
  nodeWidth,
  NODE_SIZE,
  portSlots,
  toCanvas,
  TRIGGER_NODE,
  type DraftJourney,
} from '../model/index.ts';
import { EDGE_TYPES } from './LaneEdge.tsx';
import { NODE_TYPES, type NodeView } from './nodes.tsx';

/** What one node of a migration canvas shows: a count badge (waiting, or arriving), and whether it is the focus. */
export interface MigrationMark {
  count: number;
  detail: string;
}

const FIT = { padding: 0.06, maxZoom: 1 } as const;

/**
 * One side of the migration step: a journey drawn read-only (the old version, or the draft), with a count
 * badge on the nodes `marks` names and `focus` ringed. Clicking a node calls `onPick`. It has its own React
 * Flow store, apart from the editor's canvas behind the dialog.
 */
export function MigrationCanvas({
  id,
  journey,
  marks,
  focus,
  onPick,
}: {
  /** Distinct per canvas on the page: React Flow's ids and the test ids derive from it. */
  id: string;
  journey: DraftJourney;
  marks: ReadonlyMap<string, MigrationMark>;
  focus: string | null;
  onPick: (nodeId: string) => void;
}) {
  const laidOut = useMemo(
    () => (isLaidOut(journey) ? journey : { ...journey, ui: { ...journey.ui, positions: layoutJourney(journey) } }),
    [journey],
  );
  const canvas = useMemo(() => toCanvas(laidOut), [laidOut]);
  const nodes = useMemo<Node[]>(
    () =>
      canvas.nodes.map((n) => {
        const node = 'node' in n.data ? n.data.node : null;
        const mark = marks.get(n.id);
        const sim: NodeView['sim'] =
          mark || focus === n.id
            ? {
                current: focus === n.id,
                visited: false,
                count: mark ? mark.count : null,
                ...(mark ? { detail: mark.detail } : {}),
              }
            : undefined;
        return {
          id: n.id,
          type: n.type,
          position: n.position,
          initialWidth: node ? nodeWidth(node) : NODE_SIZE.width,
          initialHeight: NODE_SIZE.height,
          deletable: false,
          className: n.id === TRIGGER_NODE ? undefined : 'migration-pickable',
          data: {
            ...n.data,
            problems: [],
            readOnly: true,
            ...(sim ? { sim } : {}),
          } satisfies NodeView as unknown as Record<string, unknown>,
        };
      }),
    [canvas, marks, focus],
  );
  const edges = useMemo<Edge[]>(() => {
    const byId = new Map(laidOut.nodes.map((n) => [n.id, n]));
    return canvas.edges.map(({ port, label, ...e }) => {
      const from = byId.get(e.source);
      return {
        ...e,
        type: 'lane',
        deletable: false,
        className: 'journey-edge',
        data: {
          lane: port,
          ports: from ? portSlots(from).length : 1,
          label,
          offset: 0,
          arriveLane: 0,
          handle: e.sourceHandle,
          readOnly: true,
        },
      };
    });
  }, [canvas, laidOut]);
  return (
    <div className="migration-canvas" data-testid={id}>
      <ReactFlowProvider>
        <ReactFlow
          id={id}
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          onNodeClick={(_, n) => n.id !== TRIGGER_NODE && onPick(n.id)}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          minZoom={0.1}
          fitView
          fitViewOptions={FIT}
        >
          <Background gap={20} size={1} />
          <Controls showInteractive={false} fitViewOptions={FIT} />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
