import { isRecord, type DraftNode } from './draft.ts';

/** One outgoing connection point of a node on the canvas: a port, connected or not. */
export interface PortSlot {
  /** The handle id: `next`, `otherwise`, `paths.0`, `variants.1`, `outcomes.won`, `onTimeout`, `onExpire`. */
  handle: string;
  /** What the canvas writes next to the handle (and on the edge that leaves it). */
  label: string;
  /** Where the target node id sits inside the node. */
  path: (string | number)[];
  target: string | undefined;
}

/** The value at a JSON path inside a node, or undefined when the path does not lead anywhere. */
export const valueAt = (node: DraftNode, path: readonly (string | number)[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined),
    node,
  );

/** The slot of one port: its handle, label and path, and where it leads when it names a node. */
export function portSlot(node: DraftNode, handle: string, label: string, path: (string | number)[]): PortSlot {
  const t = valueAt(node, path);
  return { handle, label, path, target: typeof t === 'string' && t !== '' ? t : undefined };
}

/** A string field, or '' for anything else. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
