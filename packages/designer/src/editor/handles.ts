import { Position, type NodeHandle } from '@xyflow/react';
import { portSlots, type DraftNode } from '../model/index.ts';
import { nodeTypeDef } from '../nodeTypes/index.ts';

// A card's height, from what styles.css draws: the head and padding, a line for the label and each
// summary line, and the row of ports. Measured in Chromium: 50 px for an exit, 87 for a one-line step
// with ports, 107 for a handoff (two lines).
const CARD = { base: 31, line: 19.4, ports: 37 };
const HANDLE = 11;

/** The height a step's card will have once drawn, estimated from its lines and ports. */
export function cardHeight(node: DraftNode | null): number {
  if (!node) return Math.round(CARD.base + CARD.line + CARD.ports); // the entry: one line and its start port
  const lines =
    (typeof node.label === 'string' && node.label ? 1 : 0) + (nodeTypeDef(node.type)?.summary(node).length ?? 1);
  return Math.round(CARD.base + CARD.line * Math.max(1, lines) + (portSlots(node).length > 0 ? CARD.ports : 0));
}

/**
 * Where a card's handles will be, for a card `width` × `height` not drawn yet: the input at the top
 * centre, one output per port at the bottom, centred in the port's share of the width (see nodes.tsx); each
 * reaches 1.5 px past the card's edge, as measured.
 * Given to React Flow as the node's `handles`, they spare it drawing every step once to measure it
 * (it would, on opening, for each of a 1,000-step journey's nodes, although it then shows only those in
 * view); a drawn card is measured and its measured handles replace these.
 */
export function estimatedHandles(node: DraftNode | null, width: number, height: number): NodeHandle[] {
  const outs = node ? portSlots(node).map((s) => s.handle) : ['start'];
  return [
    ...(node
      ? [
          {
            id: null,
            type: 'target' as const,
            position: Position.Top,
            x: width / 2 - HANDLE / 2,
            y: -1.5,
            width: HANDLE,
            height: HANDLE,
          },
        ]
      : []),
    ...outs.map((id, i) => ({
      id,
      type: 'source' as const,
      position: Position.Bottom,
      x: (width * (i + 0.5)) / outs.length - HANDLE / 2,
      y: height - 1.5,
      width: HANDLE,
      height: HANDLE,
    })),
  ];
}
