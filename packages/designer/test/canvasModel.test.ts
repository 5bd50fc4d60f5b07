import { readFileSync } from 'node:fs';
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { validateJourney } from '@baton/engine';
import {
  applyChange,
  arrivals,
  findSteps,
  journeyToOpen,
  layoutWithElk,
  newJourney,
  newNode,
  NODE_SIZE,
  nodeWidth,
  openingViewport,
  openPort,
  freePlace,
  placeAfter,
  READABLE_ZOOM,
  TRIGGER_NODE,
  type DraftJourney,
} from '../src/model/index.ts';
import { lifeCycle } from '../src/inbox/lifecycle.ts';
import { chainJourney } from './journeys.ts';

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/${name}/journey.json`, import.meta.url), 'utf8')) as DraftJourney;

describe('adding a step in place', () => {
  it('puts a step between a port and where it led, and makes room below', () => {
    let j = newJourney('j', 'J');
    const exit = newNode(j, 'exit');
    j = applyChange(j, { kind: 'addNode', node: exit, position: { x: 0, y: 200 } });
    j = applyChange(j, { kind: 'connect', source: TRIGGER_NODE, handle: 'start', target: 'exit' });
    const wait = newNode(j, 'wait');
    const { position, room } = placeAfter(j, TRIGGER_NODE, 'start', wait);
    expect(room).toBeGreaterThan(0); // the exit stands where the wait goes
    const next = applyChange(j, {
      kind: 'insertNode',
      node: wait,
      position,
      after: { source: TRIGGER_NODE, handle: 'start' },
      room,
    });
    expect(next.start).toBe('wait');
    expect(next.nodes.find((n) => n.id === 'wait')!.next).toBe('exit');
    expect(next.ui!.positions!.exit!.y).toBe(200 + room);
    expect(validateJourney(next).valid).toBe(true);
    expect(openPort(next, TRIGGER_NODE)).toBeUndefined();
  });

  it('puts a step that follows nothing where it was asked when free, else at the nearest free place, on no step', () => {
    const j = example('pricing-intent');
    const wait = newNode(j, 'wait');
    const positions = j.ui!.positions!;
    const free = { x: -5000, y: -5000 };
    expect(freePlace(j, free, wait)).toEqual(free);
    for (const [id, taken] of Object.entries(positions)) {
      const at = freePlace(j, taken, wait);
      expect(at, id).not.toEqual(taken);
      for (const [other, p] of Object.entries(positions)) {
        const step = j.nodes.find((n) => n.id === other);
        const width = step ? nodeWidth(step) : NODE_SIZE.width;
        const apart =
          p.x + width <= at.x ||
          at.x + nodeWidth(wait) <= p.x ||
          p.y + NODE_SIZE.height <= at.y ||
          at.y + NODE_SIZE.height <= p.y;
        expect(apart, `${id}: on ${other}`).toBe(true);
      }
    }
  });

  it('inserts on a branch path and keeps the other paths', () => {
    const j = example('pricing-intent');
    const wait = newNode(j, 'wait');
    const next = applyChange(j, {
      kind: 'insertNode',
      node: wait,
      position: { x: 0, y: 0 },
      after: { source: 'fit', handle: 'otherwise' },
      room: 0,
    });
    expect(next.nodes.find((n) => n.id === 'fit')).toMatchObject({ paths: [{ next: 'handoff' }], otherwise: wait.id });
    expect(next.nodes.find((n) => n.id === wait.id)!.next).toBe('nurture');
    expect(validateJourney(next).valid).toBe(true);
  });
});

describe('edges into one step', () => {
  it('end each on their own spot, ordered by where they come from', () => {
    const edges = [
      { id: 'b', source: 'y', target: 't', port: 0 },
      { id: 'a', source: 'x', target: 't', port: 0 },
      { id: 'c', source: 'z', target: 'u', port: 0 },
    ];
    const x: Record<string, number> = { x: 0, y: 500, z: 100 };
    const ends = arrivals(
      edges,
      (e) => x[e.source]!,
      () => 240,
    );
    expect(ends.get('a')!.offset).toBeLessThan(ends.get('b')!.offset);
    expect(ends.get('a')!.lane).not.toBe(ends.get('b')!.lane);
    expect(ends.get('c')).toEqual({ offset: 0, lane: 0 });
  });
});

describe('finding a step', () => {
  it('finds by id and by label, the exact id first', () => {
    const j = chainJourney('c', 100) as unknown as DraftJourney;
    expect(findSteps(j, 's5')[0]!.id).toBe('s5');
    expect(findSteps(j, 'RENEWAL')).toEqual([{ id: 's50', type: 'branch', label: 'Renewal reminder' }]);
    expect(findSteps(j, '  ')).toEqual([]);
  });
});

describe('the view a journey opens at', () => {
  const box = (x: number, y: number) => ({ x, y, width: 240, height: 110 });
  it('shows a small journey whole, and a long one from its entry at a readable zoom', () => {
    const small = [box(0, 0), box(0, 200), box(0, 400)];
    expect(openingViewport(small, small[0]!, 900, 800).zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    const long = Array.from({ length: 200 }, (_, i) => box(0, i * 200));
    const v = openingViewport(long, long[0]!, 900, 800);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    // The entry is on screen, below the top padding.
    expect(v.y).toBeGreaterThan(0);
    expect(v.x + 120 * v.zoom).toBeGreaterThan(0);
    expect(v.x + 120 * v.zoom).toBeLessThan(900);
  });
});

describe('unsaved changes kept in the browser', () => {
  it('reopen the backup only when it holds something the server does not', () => {
    const server = example('pricing-intent');
    const changed = { ...server, name: 'Renamed' };
    expect(journeyToOpen(server, { at: '2026-12-01T10:00:00Z', journey: changed })).toEqual({
      journey: changed,
      restored: '2026-12-01T10:00:00Z',
    });
    expect(journeyToOpen(server, { at: '2026-12-01T10:00:00Z', journey: server }).restored).toBeNull();
    expect(journeyToOpen(server, null).restored).toBeNull();
  });
});

describe('layout with ELK', () => {
  it("keeps port order: a branch's first path leads left of its otherwise, a handoff's first outcome left of the rest", async () => {
    const positions = await layoutWithElk(example('pricing-intent'), new ELK());
    expect(positions.handoff!.x).toBeLessThan(positions.nurture!.x);
    expect(positions.won!.x).toBeLessThan(positions.done!.x);
    expect(positions[TRIGGER_NODE]!.y).toBeLessThan(positions.fit!.y);
  });
});

describe("a handoff's life cycle", () => {
  it("reads this handoff's events from the contact's timeline, in a rep's words", () => {
    const events = [
      { name: 'Page Viewed', at: '2026-12-01T09:00:00Z', properties: {} },
      { name: 'Handoff Created', at: '2026-12-01T09:00:00Z', properties: { handoff: 'h1', record: 'lead' } },
      {
        name: 'Handoff Assigned',
        at: '2026-12-01T09:00:00Z',
        properties: { handoff: 'h1', rep: 'ana', queue: 'emea' },
      },
      { name: 'Handoff Assigned', at: '2026-12-01T09:00:00Z', properties: { handoff: 'h2', rep: 'bo' } },
      {
        name: 'Handoff Rejected',
        at: '2026-12-01T09:10:00Z',
        properties: { handoff: 'h1', rep: 'ana', reason: 'wrong region' },
      },
      { name: 'Handoff Escalated', at: '2026-12-01T13:00:00Z', properties: { handoff: 'h1', rep: 'mia', from: 'bo' } },
      {
        name: 'Handoff Closed',
        at: '2026-12-02T09:00:00Z',
        properties: { handoff: 'h1', outcome: 'meeting_booked', value: 30000 },
      },
    ];
    expect(lifeCycle(events, 'h1', (r) => r.toUpperCase()).map((s) => s.text)).toEqual([
      'Created as a lead',
      'Assigned to ANA (queue emea)',
      'Rejected by ANA: “wrong region”',
      'Escalated to MIA from BO',
      `Closed: meeting booked (${(30000).toLocaleString()})`,
    ]);
  });
});

describe('durations as a number and a unit', () => {
  it('reads and writes one-unit ISO durations, keeps other ISO durations, and names what is wrong', async () => {
    const { splitDuration, joinDuration, readDuration, durationWords, looksIso } = await import(
      '../src/model/duration.ts'
    );
    expect(splitDuration('PT4H')).toEqual({ amount: 4, unit: 'hours' });
    expect(splitDuration('P2W')).toEqual({ amount: 2, unit: 'weeks' });
    expect(splitDuration('P1DT12H')).toBeNull();
    expect(joinDuration(30, 'minutes')).toBe('PT30M');
    expect(readDuration('3', 'days', looksIso)).toEqual({ iso: 'P3D' });
    expect(readDuration('p1dt12h', 'days', looksIso)).toEqual({ iso: 'P1DT12H' });
    expect(readDuration('', 'days', looksIso)).toEqual({ empty: true });
    expect(readDuration('soon', 'days', looksIso)).toHaveProperty('problem');
    expect(readDuration('0', 'days', looksIso)).toEqual({ problem: 'must be more than 0' });
    expect([durationWords('P1D'), durationWords('PT4H'), durationWords('P1DT12H')]).toEqual([
      '1 day',
      '4 hours',
      'P1DT12H',
    ]);
  });
});

describe('what a draft changes against the published version', () => {
  it('lists steps added, removed and changed by id, and settings; the layout alone changes nothing', async () => {
    const { versionDiff } = await import('../src/model/index.ts');
    const published = {
      id: 'j',
      name: 'J',
      trigger: { event: 'Signed Up' },
      start: 'a',
      nodes: [
        { id: 'a', type: 'wait', duration: 'P1D', next: 'b' },
        { id: 'b', type: 'exit', outcome: 'done' },
      ],
      ui: { positions: { a: { x: 0, y: 0 } } },
    };
    expect(versionDiff(published, { ...published, ui: { positions: { a: { x: 9, y: 9 } } } }).same).toBe(true);
    // Key order does not count.
    const reordered = {
      ...published,
      nodes: [{ next: 'b', duration: 'P1D', type: 'wait', id: 'a' }, published.nodes[1]!],
    };
    expect(versionDiff(published, reordered).same).toBe(true);
    const draft = {
      ...published,
      name: 'J2',
      nodes: [
        { id: 'a', type: 'wait', duration: 'P3D', next: 'c' },
        { id: 'c', type: 'exit', outcome: 'won' },
      ],
    };
    const diff = versionDiff(published, draft);
    expect(diff.added.map((n) => n.id)).toEqual(['c']);
    expect(diff.removed.map((n) => n.id)).toEqual(['b']);
    expect(diff.changed.map((n) => n.id)).toEqual(['a']);
    expect(diff.settings).toEqual(['name']);
    expect(diff.same).toBe(false);
  });
});
