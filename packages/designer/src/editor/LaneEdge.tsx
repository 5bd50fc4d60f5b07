import { useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useNodes, type Edge, type EdgeProps } from '@xyflow/react';
import { labelPoint, laneRoute, roundedPath, type Box } from './route.ts';
import { StepMenuContext } from './StepMenu.tsx';

/** A connection drawn from a port: its lane on the source, where it ends on the target, and what it says. */
export type LaneEdgeType = Edge<
  { lane: number; ports: number; label: string; offset: number; arriveLane: number; handle: string; readOnly: boolean },
  'lane'
>;

/**
 * A journey connection: it turns in its port's lane below its node and runs down a column free of other
 * nodes (see `laneRoute`), and ends on its own spot of the target's top (see `arrivals`). It carries its
 * port's label (a branch path, an outcome) and a "+" that puts a step in its place.
 */
export function LaneEdge({
  source,
  target,
  sourceX,
  sourceY,
  sourcePosition,
  targetX,
  targetY,
  targetPosition,
  data,
  markerEnd,
  style,
  interactionWidth,
}: EdgeProps<LaneEdgeType>) {
  const nodes = useNodes();
  const menu = useContext(StepMenuContext);
  const others: Box[] = nodes
    .filter((n) => n.id !== source && n.id !== target && n.measured?.width && n.measured.height)
    .map((n) => ({ x: n.position.x, y: n.position.y, width: n.measured!.width!, height: n.measured!.height! }));
  const end = { x: targetX + (data?.offset ?? 0), y: targetY };
  const route = laneRoute({ x: sourceX, y: sourceY }, end, data?.lane ?? 0, others, data?.arriveLane ?? 0);
  const [fallback, fx, fy] = getSmoothStepPath({
    sourceX,
    sourceY,
    sourcePosition,
    targetX: end.x,
    targetY,
    targetPosition,
  });
  const path = route ? roundedPath(route) : fallback;
  const at = route ? labelPoint(route, data?.lane ?? 0, data?.ports ?? 1) : { x: fx, y: fy };
  const label = data?.label ?? '';
  const canAdd = !data?.readOnly && menu !== null;
  return (
    <>
      <BaseEdge path={path} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />
      {(label || canAdd) && (
        <EdgeLabelRenderer>
          <div
            className="edge-label nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${at.x}px, ${at.y}px)` }}
            data-testid={`edge-label-${source}-${data?.handle ?? ''}`}
          >
            {label && <span>{label}</span>}
            {canAdd && (
              <button
                type="button"
                className="edge-add"
                aria-label={`add a step between ${source} and ${target}`}
                title="Add a step here"
                onClick={(e) =>
                  menu.open({ source, handle: data?.handle ?? '' }, e.currentTarget.getBoundingClientRect())
                }
              >
                +
              </button>
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

/** The canvas's edge types. */
export const EDGE_TYPES = { lane: LaneEdge };
