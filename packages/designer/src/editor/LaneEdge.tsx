import { BaseEdge, getSmoothStepPath, useNodes, type Edge, type EdgeProps } from '@xyflow/react';
import { laneRoute, roundedPath, type Box } from './route.ts';

/** A connection drawn from a port, with the port's place on its node (0 for the leftmost). */
export type LaneEdgeType = Edge<{ lane: number }, 'lane'>;

/**
 * A journey connection: it turns in its port's lane below its node and runs down a column free of other
 * nodes (see `laneRoute`). React Flow's smoothstep turns halfway and drops straight onto the target,
 * which ran behind steps in between (pricing-intent's "Good fit" disappeared behind its nurture email).
 */
export function LaneEdge({ source, target, sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition, data, markerEnd, style, interactionWidth }: EdgeProps<LaneEdgeType>) {
  const nodes = useNodes();
  const others: Box[] = nodes
    .filter((n) => n.id !== source && n.id !== target && n.measured?.width && n.measured.height)
    .map((n) => ({ x: n.position.x, y: n.position.y, width: n.measured!.width!, height: n.measured!.height! }));
  const route = laneRoute({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, data?.lane ?? 0, others);
  const path = route ? roundedPath(route) : getSmoothStepPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition })[0];
  return <BaseEdge path={path} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />;
}

/** The canvas's edge types. */
export const EDGE_TYPES = { lane: LaneEdge };
