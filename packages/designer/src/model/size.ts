import { own } from '@baton/engine/internal';
import { TRIGGER_NODE } from './convert.ts';
import type { DraftJourney, DraftNode } from './draft.ts';
import { portSlots } from './ports.ts';

// A step's size and whether a journey is placed: what the canvas needs without the layout (dagre), which
// is loaded when a journey is laid out.

/** The size a node takes on the canvas, for layout. */
export const NODE_SIZE = { width: 240, height: 110 };

/** A node is wide enough for a labelled handle per port. */
export const nodeWidth = (node: DraftNode) => Math.max(NODE_SIZE.width, 104 * portSlots(node).length);

/** Whether every node (and the trigger) has a position. */
export const isLaidOut = (journey: DraftJourney) => {
  const p = journey.ui?.positions ?? {};
  return own(p, TRIGGER_NODE) !== undefined && journey.nodes.every((n) => own(p, n.id) !== undefined);
};
