import { nodeTypeDef } from '../nodeTypes/index.ts';
import type { DraftNode } from './draft.ts';
import type { PortSlot } from './slots.ts';

export type { PortSlot } from './slots.ts';

/**
 * Every port a node has, connected or not, in the order the canvas shows them: the journey's ports
 * (SPEC §5) are the canvas's connections. A node being drawn has its ports before they lead anywhere.
 * Each node type says which ports it has in its own file under `src/nodeTypes/`.
 */
export function portSlots(node: DraftNode): PortSlot[] {
  return nodeTypeDef(node.type)?.ports(node) ?? [];
}

/** The path inside a node that a handle writes to, or undefined for a handle the node does not have. */
export function handlePath(node: DraftNode, handle: string): (string | number)[] | undefined {
  return portSlots(node).find((s) => s.handle === handle)?.path;
}
