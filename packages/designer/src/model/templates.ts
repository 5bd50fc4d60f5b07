import { NODE_TYPE_DEFS, nodeTypeDef, type TemplateContext } from '../nodeTypes/index.ts';
import { freshId } from './changes.ts';
import type { DraftJourney, DraftNode } from './draft.ts';

/** The node types of the palette, in the order a marketer reaches for them. */
export const PALETTE: readonly { type: string; title: string; hint: string }[] = NODE_TYPE_DEFS.map((d) => ({
  type: d.type,
  ...d.palette,
}));

export type PaletteType = string;

/** A new node of a type, filled with sensible values so it is close to valid when dropped. */
export function newNode(journey: DraftJourney, type: string, team?: TemplateContext['team']): DraftNode {
  const def = nodeTypeDef(type);
  if (!def) throw new Error(`no node type "${type}"`);
  return def.template({ id: freshId(journey, type), team });
}

/** A new journey: a trigger and nothing else yet. */
export function newJourney(id: string, name: string): DraftJourney {
  return {
    schema: 'baton.journey/v1',
    id,
    name,
    trigger: { event: 'Signed Up' },
    nodes: [],
    ui: { positions: { $trigger: { x: 0, y: 0 } } },
  };
}
