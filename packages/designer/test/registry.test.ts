import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kindOf, NODE_TYPES } from '@baton/engine/internal';
import { newJourney, newNode, PALETTE, portSlots, type DraftJourney } from '../src/model/index.ts';
import { NODE_TYPE_DEFS, nodeTypeDef } from '../src/nodeTypes/index.ts';
import { validJourney } from './journeys.ts';

const EXAMPLES = [
  'pricing-intent',
  'renewal-risk',
  'nps-detractor',
  'adoption-stall',
  'onboarding-ab',
  'trial-nurture',
];
const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/${name}/journey.json`, import.meta.url), 'utf8')) as DraftJourney;

/** The engine's ports of a node (its registry's own derivation), as `path → target`. */
function enginePorts(node: DraftJourney['nodes'][number]): Record<string, string> {
  const kind = kindOf(node.type)!;
  return Object.fromEntries(kind.ports(kind.portFields.parse(node)).map((p) => [p.path.join('.'), p.target]));
}

/** The designer's connected slots of a node, as `path → target`. */
const designerPorts = (node: DraftJourney['nodes'][number]) =>
  Object.fromEntries(
    portSlots(node)
      .filter((s) => s.target !== undefined)
      .map((s) => [s.path.join('.'), s.target!]),
  );

describe("the designer's node types are the engine's", () => {
  it('has one definition per engine node type, none missing and none extra', () => {
    expect([...NODE_TYPE_DEFS.map((d) => d.type)].sort()).toEqual([...NODE_TYPES].sort());
    // The palette, the templates and the cards read the same list.
    expect(PALETTE.map((p) => p.type).sort()).toEqual([...NODE_TYPES].sort());
  });

  it('makes a new node of every type, of that type, with its ports open', () => {
    for (const type of NODE_TYPES) {
      const node = newNode(newJourney('j', 'J'), type, {
        reps: [{ id: 'ana', team: 'sales' }],
        queues: [{ id: 'q', members: ['ana'] }],
      });
      expect(node).toMatchObject({ id: type, type });
      expect(portSlots(node).every((s) => s.target === undefined)).toBe(true);
      expect(nodeTypeDef(type)!.summary(node).length).toBeGreaterThan(0);
    }
  });

  it("offers a pause's timeout port only with a timeout, or while it still leads somewhere", () => {
    const pause = (extra: Record<string, unknown>) => ({
      id: 'p',
      type: 'pause',
      until: { event: 'Replied' },
      next: 'done',
      ...extra,
    });
    const handles = (node: Record<string, unknown>) =>
      portSlots(node as DraftJourney['nodes'][number]).map((s) => s.handle);
    expect(handles(pause({}))).toEqual(['next']);
    expect(handles(pause({ timeout: '' }))).toEqual(['next']);
    expect(handles(pause({ timeout: 'P3D' }))).toEqual(['next', 'onTimeout']);
    expect(handles(pause({ onTimeout: 'nudge' }))).toEqual(['next', 'onTimeout']);
  });

  it('reads the same ports as the engine from every node of the examples', () => {
    for (const name of EXAMPLES)
      for (const node of example(name).nodes)
        expect({ [node.id]: designerPorts(node) }).toEqual({ [node.id]: enginePorts(node) });
  });

  it('reads the same ports as the engine from every node of every valid journey (property)', () => {
    fc.assert(
      fc.property(validJourney, (journey) => {
        for (const node of journey.nodes) expect(designerPorts(node)).toEqual(enginePorts(node));
      }),
      { numRuns: 200 },
    );
  });
});
