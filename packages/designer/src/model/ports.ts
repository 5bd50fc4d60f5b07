import { isRecord, type DraftNode } from './draft.ts';

/** One outgoing connection point of a node on the canvas: a port, connected or not. */
export interface PortSlot {
  /** The handle id: `next`, `otherwise`, `paths.0`, `variants.1`, `outcomes.won`, `onTimeout`, `onExpire`. */
  handle: string;
  /** What the canvas writes next to the handle. */
  label: string;
  /** Where the target node id sits inside the node. */
  path: (string | number)[];
  target: string | undefined;
}

const at = (node: DraftNode, path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined), node);

const slot = (node: DraftNode, handle: string, label: string, path: (string | number)[]): PortSlot => {
  const t = at(node, path);
  return { handle, label, path, target: typeof t === 'string' && t !== '' ? t : undefined };
};

/**
 * Every port a node has, connected or not, in the order the canvas shows them: the journey's ports
 * (SPEC §5) are the canvas's connections. A node being drawn has its ports before they lead anywhere.
 */
export function portSlots(node: DraftNode): PortSlot[] {
  switch (node.type) {
    case 'wait':
    case 'action':
      return [slot(node, 'next', 'next', ['next'])];
    case 'pause':
      return [slot(node, 'next', node.until && isRecord(node.until) && typeof node.until.event === 'string' ? node.until.event : 'next', ['next']), slot(node, 'onTimeout', 'timeout', ['onTimeout'])];
    case 'branch': {
      const paths = Array.isArray(node.paths) ? node.paths : [];
      return [
        ...paths.map((p, i) => slot(node, `paths.${i}`, isRecord(p) && typeof p.label === 'string' && p.label ? p.label : `path ${i + 1}`, ['paths', i, 'next'])),
        slot(node, 'otherwise', 'otherwise', ['otherwise']),
      ];
    }
    case 'split': {
      const variants = Array.isArray(node.variants) ? node.variants : [];
      return variants.map((v, i) => slot(node, `variants.${i}`, isRecord(v) && typeof v.label === 'string' && v.label ? v.label : `variant ${i + 1}`, ['variants', i, 'next']));
    }
    case 'handoff': {
      const outcomes = isRecord(node.outcomes) ? Object.keys(node.outcomes) : [];
      return [...outcomes.map((o) => slot(node, `outcomes.${o}`, o, ['outcomes', o])), slot(node, 'onExpire', 'expired', ['onExpire'])];
    }
    default:
      return [];
  }
}

/** The path inside a node that a handle writes to, or undefined for a handle the node does not have. */
export function handlePath(node: DraftNode, handle: string): (string | number)[] | undefined {
  return portSlots(node).find((s) => s.handle === handle)?.path;
}
