import { describe, expect, it } from 'vitest';
import { FIRST_LANE, LANE_GAP, laneRoute, roundedPath, type Box, type Point } from '../src/editor/route.ts';

/** Whether a polyline through `points` crosses the inside of `box`. */
function crosses(points: Point[], box: Box): boolean {
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    for (let t = 0; t <= 1; t += 0.01) {
      const x = a.x + (b.x - a.x) * t;
      const y = a.y + (b.y - a.y) * t;
      if (x > box.x && x < box.x + box.width && y > box.y && y < box.y + box.height) return true;
    }
  }
  return false;
}

describe('edge routes on the canvas', () => {
  it('drops straight onto a node right below, with nothing to go around', () => {
    expect(laneRoute({ x: 100, y: 100 }, { x: 100, y: 300 }, 0, [])).toEqual([
      { x: 100, y: 100 },
      { x: 100, y: 300 },
    ]);
  });

  it('goes around a step standing between its port and its target (pricing-intent: Good fit past the nurture email)', () => {
    const nurture: Box = { x: 400, y: 460, width: 210, height: 76 };
    const route = laneRoute({ x: 592, y: 380 }, { x: 592, y: 620 }, 0, [nurture])!;
    expect(crosses(route, nurture)).toBe(false);
    expect(route[0]).toEqual({ x: 592, y: 380 });
    expect(route.at(-1)).toEqual({ x: 592, y: 620 });
    // It turns in the gap below the branch, and again just above its target.
    expect(route[1]).toEqual({ x: 592, y: 380 + FIRST_LANE });
    expect(route.at(-2)).toEqual({ x: 592, y: 620 - FIRST_LANE });
  });

  it('gives each port of a node its own lane, so two edges never lie on top of each other', () => {
    const good = laneRoute({ x: 592, y: 380 }, { x: 780, y: 620 }, 0, [])!;
    const otherwise = laneRoute({ x: 696, y: 380 }, { x: 504, y: 460 }, 1, [])!;
    expect(good[1]!.y).toBe(380 + FIRST_LANE);
    expect(otherwise[1]!.y).toBe(380 + FIRST_LANE + LANE_GAP);
  });

  it("keeps React Flow's own route for an edge that goes back up (a loop)", () => {
    expect(laneRoute({ x: 100, y: 500 }, { x: 100, y: 200 }, 0, [])).toBeNull();
  });

  it('draws the corners rounded and ends exactly on the target handle', () => {
    const d = roundedPath([
      { x: 0, y: 0 },
      { x: 0, y: 20 },
      { x: 50, y: 20 },
      { x: 50, y: 60 },
    ]);
    expect(d.startsWith('M 0,0 L 0,15 Q 0,20 5,20')).toBe(true);
    expect(d.endsWith('L 50,60')).toBe(true);
  });
});
