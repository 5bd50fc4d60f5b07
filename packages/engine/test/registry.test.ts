import { describe, expect, it } from 'vitest';
import { JourneyNode, NODE_KINDS, NODE_TYPES } from '../src/internal.ts';

describe('the node registry is the one list of node types', () => {
  it('gives the journey schema its node types, in the registry order', () => {
    expect(NODE_TYPES).toEqual(Object.keys(NODE_KINDS));
    for (const type of NODE_TYPES) {
      const r = JourneyNode.safeParse({ id: 'x', type });
      // Recognised: whatever is wrong with the node, it is not its type.
      expect([type, r.error?.issues.some((i) => i.message.startsWith('unknown node type'))]).toEqual([type, false]);
    }
    const unknown = JourneyNode.safeParse({ id: 'x', type: 'teleport' });
    expect(unknown.error?.issues[0]?.message).toBe(`unknown node type; expected one of ${NODE_TYPES.join(', ')}`);
  });

  it('has each kind declare its own type name and the fields of its ports', () => {
    for (const type of NODE_TYPES) {
      const kind = NODE_KINDS[type];
      expect(kind.type).toBe(type);
      expect(kind.portFields).toBeDefined();
    }
  });
});
