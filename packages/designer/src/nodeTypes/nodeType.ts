import type { ComponentType } from 'react';
import type { TeamShape } from '../api.ts';
import type { DraftNode } from '../model/draft.ts';
import type { PortSlot } from '../model/slots.ts';
import type { TeamLike } from '../model/teamScope.ts';

/** What a node type's inspector form gets: the node, ways to change it, and what it may offer. */
export interface NodeFormProps {
  node: DraftNode;
  /** Sets one top-level field (undefined removes it). */
  set: (key: string, value: unknown) => void;
  /** Replaces the node whole, for a change of several fields at once (one undo step). */
  update: (next: DraftNode) => void;
  team: TeamShape | null;
  /** The teams the journey hands off to (`sales`, `service`): whom its steps deal with. */
  teams: string[];
  /** Condition fields to suggest. */
  fields: string[];
  disabled: boolean;
}

/** What a new node of a type may start from: its id, and the workspace's team for routing defaults. */
export interface TemplateContext {
  id: string;
  team?: TeamLike | undefined;
}

/**
 * Everything the designer knows about one node type, in the type's own file (`src/nodeTypes/TYPE.tsx`):
 * its palette entry, the node a drop creates, its ports as slots (connected or not, with labels), the
 * lines its card shows and its inspector form. The engine's node kind is the other half (`NODE_TYPES`).
 */
export interface NodeTypeDef {
  type: string;
  palette: { title: string; hint: string };
  /** A new node, filled with sensible values so that it is close to valid when dropped. */
  template: (ctx: TemplateContext) => DraftNode;
  /** Every port, connected or not, in the order the card shows them, left to right (SPEC §5 ports). */
  ports: (node: DraftNode) => PortSlot[];
  /** The line or two that say what the node does, at a glance. */
  summary: (node: DraftNode) => string[];
  /** The type's fields in the inspector (id, label and raw JSON are common to every type). */
  Form: ComponentType<NodeFormProps>;
}
