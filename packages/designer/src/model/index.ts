// The designer's model: plain TypeScript, no React. The components render what these compute.
export { type DraftJourney, type DraftNode, type Position, isRecord, eachRecord } from './draft.ts';
export { portSlots, handlePath, type PortSlot } from './ports.ts';
export {
  toCanvas,
  toJourney,
  TRIGGER_NODE,
  type Canvas,
  type CanvasNode,
  type CanvasEdge,
  type JourneyMeta,
} from './convert.ts';
export { applyChange, freshId, isDraftJourney, type JourneyChange } from './changes.ts';
export { startHistory, record, undo, redo, type History } from './history.ts';
export { layoutJourney } from './layout.ts';
export { isLaidOut, nodeWidth, NODE_SIZE } from './size.ts';
export { PALETTE, newNode, newJourney, type PaletteType } from './templates.ts';
export { issuesByNode, describeIssue, readableIssues, stepName } from './issues.ts';
export { type PortSlot as Slot, portSlot, valueAt } from './slots.ts';
export { arrivals, portCentre } from './arrivals.ts';
export { findSteps, type StepMatch } from './search.ts';
export {
  openingViewport,
  framingViewport,
  wholeViewport,
  boundsOf,
  FIT_PADDING,
  READABLE_ZOOM,
  type Rect,
} from './viewport.ts';
export { freePlace, placeAfter, openPort, ROW_GAP } from './placement.ts';
export { layoutWithElk, elkGraph, ELK_LIMIT, type ElkLike, type Sizes } from './elkLayout.ts';
export { backupKey, readBackup, journeyToOpen, type Backup } from './backup.ts';
export { versionDiff, type VersionDiff } from './versionDiff.ts';
