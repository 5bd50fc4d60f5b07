import { ELK_LIMIT, type Sizes } from '../model/elkLayout.ts';
import type { DraftJourney, Position } from '../model/index.ts';
import type { LayoutRequest } from './layoutWorker.ts';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { done: (p: Record<string, Position>) => void; fail: (e: Error) => void }>();

function layoutWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./layoutWorker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<{ id: number; positions?: Record<string, Position>; error?: string }>) => {
    const w = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (e.data.positions) w?.done(e.data.positions);
    else w?.fail(new Error(e.data.error ?? 'layout failed'));
  };
  return worker;
}

/**
 * Lays a journey out: ELK (port order fixed, room for orthogonal edges) in a worker for journeys up to
 * ELK_LIMIT steps, dagre on the page for larger ones (ELK takes seconds there).
 */
export function autoLayout(journey: DraftJourney, sizes: Sizes = new Map()): Promise<Record<string, Position>> {
  // dagre loads with the first journey that needs it.
  if (journey.nodes.length > ELK_LIMIT) return import('../model/layout.ts').then((m) => m.layoutJourney(journey));
  return new Promise((done, fail) => {
    const id = nextId++;
    waiting.set(id, { done, fail });
    layoutWorker().postMessage({ id, journey, sizes: [...sizes] } satisfies LayoutRequest);
  });
}
