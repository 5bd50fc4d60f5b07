/** A point or a node's box on the canvas, in flow coordinates. */
export interface Point {
  x: number;
  y: number;
}
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How far below a port an edge turns (its first lane), how far apart a node's lanes are, and how far edges keep from nodes (px). */
export const FIRST_LANE = 16;
export const LANE_GAP = 10;
const CLEARANCE = 14;
const CORNER = 5;

/**
 * The route of an edge from a port (at the bottom of its node) down to a node's top: it turns in a lane
 * of its own just below its node (one per port, so the edges of two ports never lie on top of each
 * other), runs down a column that no other node stands in, and turns again just above its target. A
 * straight drop to the target could run behind a step of the rows between, and then the drawing would
 * say the journey goes through that step. Returns the corners, or null for an edge that does not go
 * down (a loop back), which keeps React Flow's own route.
 */
export function laneRoute(
  source: Point,
  target: Point,
  lane: number,
  others: readonly Box[],
  arriveLane = 0,
): Point[] | null {
  const turn = source.y + FIRST_LANE + LANE_GAP * lane;
  // Edges into one node turn above it in lanes of their own too (see `arrivals`).
  const wanted = target.y - FIRST_LANE - LANE_GAP * arriveLane;
  const arrive = wanted > turn ? wanted : target.y - FIRST_LANE;
  if (arrive <= turn) return null;
  // Nodes standing between the two turns, widened by the clearance an edge keeps.
  const between = others
    .filter((b) => b.y < arrive && b.y + b.height > turn)
    .map((b) => ({ left: b.x - CLEARANCE, right: b.x + b.width + CLEARANCE }));
  const free = (x: number) => between.every((b) => x <= b.left || x >= b.right);
  const candidates = [target.x, source.x, ...between.flatMap((b) => [b.left, b.right])].filter(free);
  // The free column nearest the target, then nearest the source; with nothing free, straight down.
  const column =
    candidates.sort(
      (a, b) => Math.abs(a - target.x) - Math.abs(b - target.x) || Math.abs(a - source.x) - Math.abs(b - source.x),
    )[0] ?? target.x;
  const corners = [
    source,
    { x: source.x, y: turn },
    { x: column, y: turn },
    { x: column, y: arrive },
    { x: target.x, y: arrive },
    target,
  ];
  // Drop the corners that do not turn (a column straight under the source or above the target).
  return corners.filter(
    (p, i) => i === 0 || i === corners.length - 1 || !collinear(corners[i - 1]!, p, corners[i + 1]!),
  );
}

const collinear = (a: Point, b: Point, c: Point) => (a.x === b.x && b.x === c.x) || (a.y === b.y && b.y === c.y);

/** An SVG path through the corners, each corner rounded. */
export function roundedPath(points: readonly Point[]): string {
  let d = `M ${points[0]!.x},${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1]!, points[i]!, points[i + 1]!];
    const r = Math.min(CORNER, distance(a, b) / 2, distance(b, c) / 2);
    d += ` L ${toward(b, a, r)} Q ${b.x},${b.y} ${toward(b, c, r)}`;
  }
  const last = points.at(-1)!;
  return `${d} L ${last.x},${last.y}`;
}

const distance = (a: Point, b: Point) => Math.hypot(b.x - a.x, b.y - a.y);
const toward = (from: Point, to: Point, r: number) => {
  const d = distance(from, to) || 1;
  return `${from.x + ((to.x - from.x) / d) * r},${from.y + ((to.y - from.y) / d) * r}`;
};

/**
 * Where a label sits on a route: on its longest vertical run (the column it follows), at a height of its
 * own among its node's ports (port `lane` of `ports`), so that the labels of one node's edges do not
 * stand on one line.
 */
export function labelPoint(points: readonly Point[], lane = 0, ports = 1): Point {
  let best: Point = points[0]!;
  let length = -1;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    if (a.x === b.x && Math.abs(b.y - a.y) > length) {
      length = Math.abs(b.y - a.y);
      best = { x: a.x, y: a.y + ((b.y - a.y) * (lane + 1)) / (ports + 1) };
    }
  }
  return best;
}
