/**
 * A journey as the designer edits it: the SPEC §5 JSON, possibly incomplete or invalid while it is being
 * drawn. Nodes are loose records so that a half-configured node can live on the canvas.
 */
export interface DraftNode {
  id: string;
  type: string;
  [field: string]: unknown;
}

export interface DraftJourney {
  schema?: string;
  id: string;
  name?: string;
  trigger?: { event?: string; when?: unknown };
  start?: string;
  nodes: DraftNode[];
  ui?: { positions?: Record<string, Position>; [key: string]: unknown };
  [field: string]: unknown;
}

export interface Position {
  x: number;
  y: number;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Calls `visit` on every object inside a JSON value (the value itself included), depth first. */
export function eachRecord(value: unknown, visit: (record: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) value.forEach((v) => eachRecord(v, visit));
  else if (isRecord(value)) {
    visit(value);
    Object.values(value).forEach((v) => eachRecord(v, visit));
  }
}
