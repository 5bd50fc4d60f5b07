import { TRIGGER_NODE } from './convert.ts';
import type { DraftJourney, DraftNode, Position } from './draft.ts';
import { NODE_SIZE, nodeWidth } from './size.ts';
import { portSlots } from './ports.ts';
import { portCentre } from './arrivals.ts';

/** The gap left between a step and the one put after it (px). */
export const ROW_GAP = 80;

/**
 * Where a step put after a port goes: centred under the port, a row below its node, and how far the
 * steps at or below that row move down to make room (0 when the place is free).
 */
export function placeAfter(
  journey: DraftJourney,
  source: string,
  handle: string,
  node: DraftNode,
): { position: Position; room: number } {
  const positions = journey.ui?.positions ?? {};
  const at = positions[source] ?? { x: 0, y: 0 };
  const from = journey.nodes.find((n) => n.id === source);
  const slots = from ? portSlots(from) : [{ handle: 'start' }];
  const port = Math.max(
    0,
    slots.findIndex((s) => s.handle === handle),
  );
  const width = from ? nodeWidth(from) : NODE_SIZE.width;
  const ownWidth = nodeWidth(node);
  const position = {
    x: Math.round(portCentre(at, width, port, slots.length) - ownWidth / 2),
    y: at.y + NODE_SIZE.height + ROW_GAP,
  };
  const blocked = taken(journey, position, ownWidth, source);
  return { position, room: blocked ? NODE_SIZE.height + ROW_GAP : 0 };
}

/**
 * Where a step that follows nothing goes: the place asked for (the middle of the view) when it is free,
 * else the nearest free place beside it, searched ring by ring in steps of a card and a gap, so it never
 * lands on a step already there.
 */
export function freePlace(journey: DraftJourney, wanted: Position, node: DraftNode): Position {
  const width = nodeWidth(node);
  const dx = width + 40;
  const dy = NODE_SIZE.height + 40;
  for (let ring = 0; ring <= 20; ring++) {
    for (let i = -ring; i <= ring; i++) {
      for (const [cx, cy] of [
        [ring, i],
        [-ring, i],
        [i, ring],
        [i, -ring],
      ] as const) {
        const at = { x: wanted.x + cx * dx, y: wanted.y + cy * dy };
        if (!taken(journey, at, width)) return at;
      }
    }
  }
  return wanted;
}

/**
 * Whether a step of this width at `at` would touch a step of the journey (within 20 px), the step `except`
 * left out.
 */
function taken(journey: DraftJourney, at: Position, width: number, except?: string): boolean {
  const widthOf = (id: string) => {
    const n = journey.nodes.find((x) => x.id === id);
    return n ? nodeWidth(n) : NODE_SIZE.width;
  };
  return Object.entries(journey.ui?.positions ?? {}).some(
    ([id, p]) =>
      id !== except &&
      p.x < at.x + width + 20 &&
      p.x + widthOf(id) > at.x - 20 &&
      p.y < at.y + NODE_SIZE.height + 20 &&
      p.y + NODE_SIZE.height > at.y - 20,
  );
}

/** The first port of a node that leads nowhere yet, if any (the entry's start when it is open). */
export function openPort(journey: DraftJourney, id: string): string | undefined {
  if (id === TRIGGER_NODE) return journey.start ? undefined : 'start';
  const node = journey.nodes.find((n) => n.id === id);
  return node ? portSlots(node).find((s) => s.target === undefined)?.handle : undefined;
}
