import { actionKind } from './action.ts';
import { branchKind } from './branch.ts';
import { exitKind } from './exit.ts';
import { handoffKind } from './handoff.ts';
import type { NodeKind } from './kind.ts';
import { pauseKind } from './pause.ts';
import { splitKind } from './split.ts';
import { waitKind } from './wait.ts';

/** Every node type Baton knows, by type name. */
export const NODE_KINDS = {
  wait: waitKind,
  pause: pauseKind,
  branch: branchKind,
  split: splitKind,
  action: actionKind,
  handoff: handoffKind,
  exit: exitKind,
} as const;

export type NodeType = keyof typeof NODE_KINDS;
export const NODE_TYPES = Object.keys(NODE_KINDS) as NodeType[];

/** The kind of a node type; the registry is the only place that knows every type. */
export function kindOf(type: string): NodeKind<{ id: string; type: string }> | undefined {
  return Object.hasOwn(NODE_KINDS, type)
    ? (NODE_KINDS[type as NodeType] as unknown as NodeKind<{ id: string; type: string }>)
    : undefined;
}
