import type { Position } from './draft.ts';

/** A box on the canvas, in flow coordinates. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Room kept free around the journey when fitting it: the controls on the left, the minimap on the right. */
export const FIT_PADDING = { top: 60, right: 244, bottom: 32, left: 64 } as const;
/** Below this zoom, a step's text is too small to read: a journey is opened on its entry instead. */
export const READABLE_ZOOM = 0.5;
/** The zoom a large journey opens at, on its entry. */
export const ENTRY_ZOOM = 0.9;

/** The box around all boxes. */
export function boundsOf(boxes: readonly Rect[]): Rect {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return {
    x,
    y,
    width: Math.max(...boxes.map((b) => b.x + b.width)) - x,
    height: Math.max(...boxes.map((b) => b.y + b.height)) - y,
  };
}

/**
 * The viewport a journey opens at, on a canvas `width` × `height` px: the whole journey when it fits at a
 * readable zoom (at most 1), with FIT_PADDING kept free; otherwise its top row at the top of the free room,
 * centred on its entry, at ENTRY_ZOOM.
 */
export function openingViewport(
  boxes: readonly Rect[],
  entry: Rect,
  width: number,
  height: number,
): Position & { zoom: number } {
  const p = FIT_PADDING;
  const room = { width: Math.max(1, width - p.left - p.right), height: Math.max(1, height - p.top - p.bottom) };
  const all = boundsOf(boxes);
  const fit = Math.min(1, room.width / all.width, room.height / all.height);
  if (fit >= READABLE_ZOOM) {
    return {
      zoom: fit,
      x: p.left + (room.width - all.width * fit) / 2 - all.x * fit,
      y: p.top + (room.height - all.height * fit) / 2 - all.y * fit,
    };
  }
  // The top of the journey at the top of the free room (nothing hides under the search), centred on the entry.
  const zoom = ENTRY_ZOOM;
  return {
    zoom,
    x: p.left + room.width / 2 - (entry.x + entry.width / 2) * zoom,
    y: p.top - Math.min(all.y, entry.y) * zoom,
  };
}

/**
 * The viewport that frames some steps (the simulated path) on a canvas `width` × `height` px: all of them
 * when they fit at a readable zoom (at most 1), with FIT_PADDING kept free; otherwise `focus` (where the
 * contact is) in the middle of the free room at ENTRY_ZOOM.
 */
export function framingViewport(
  boxes: readonly Rect[],
  focus: Rect,
  width: number,
  height: number,
): Position & { zoom: number } {
  const p = FIT_PADDING;
  const room = { width: Math.max(1, width - p.left - p.right), height: Math.max(1, height - p.top - p.bottom) };
  const all = boundsOf(boxes);
  const fit = Math.min(1, room.width / all.width, room.height / all.height);
  const [zoom, centre] =
    fit >= READABLE_ZOOM
      ? [fit, { x: all.x + all.width / 2, y: all.y + all.height / 2 }]
      : [ENTRY_ZOOM, { x: focus.x + focus.width / 2, y: focus.y + focus.height / 2 }];
  return { zoom, x: p.left + room.width / 2 - centre.x * zoom, y: p.top + room.height / 2 - centre.y * zoom };
}

/**
 * The viewport that shows all `boxes` (Fit view), whatever the zoom it takes (not below `minZoom`, not
 * above 1), with FIT_PADDING kept free. Computed from the journey's boxes, not from what React Flow has
 * measured: it measures only the steps it has drawn, which are those in view.
 */
export function wholeViewport(
  boxes: readonly Rect[],
  width: number,
  height: number,
  minZoom: number,
): Position & { zoom: number } {
  const p = FIT_PADDING;
  const room = { width: Math.max(1, width - p.left - p.right), height: Math.max(1, height - p.top - p.bottom) };
  const all = boundsOf(boxes);
  const zoom = Math.max(minZoom, Math.min(1, room.width / all.width, room.height / all.height));
  return {
    zoom,
    x: p.left + room.width / 2 - (all.x + all.width / 2) * zoom,
    y: p.top + room.height / 2 - (all.y + all.height / 2) * zoom,
  };
}
