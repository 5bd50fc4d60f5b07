import { actionType } from './action.tsx';
import { branchType } from './branch.tsx';
import { exitType } from './exit.tsx';
import { handoffType } from './handoff.tsx';
import type { NodeTypeDef } from './nodeType.ts';
import { pauseType } from './pause.tsx';
import { splitType } from './split.tsx';
import { waitType } from './wait.tsx';

/**
 * Every node type the designer draws, in the order a marketer reaches for them in the palette. The only
 * list of types in the designer: ports, templates, cards and inspector forms are read from here, and a
 * test holds it equal to the engine's `NODE_TYPES`.
 */
export const NODE_TYPE_DEFS: readonly NodeTypeDef[] = [
  actionType,
  waitType,
  pauseType,
  branchType,
  splitType,
  handoffType,
  exitType,
];

const byType = new Map(NODE_TYPE_DEFS.map((d) => [d.type, d]));

/** The designer's definition of a node type, or undefined for a type it does not know. */
export const nodeTypeDef = (type: string): NodeTypeDef | undefined => byType.get(type);

export type { NodeTypeDef, NodeFormProps, TemplateContext } from './nodeType.ts';
