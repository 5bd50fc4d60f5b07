// The designer's model: plain TypeScript, no React. The components render what these compute.
export { type DraftJourney, type DraftNode, type Position, isRecord, eachRecord } from './draft.ts';
export { portSlots, handlePath, type PortSlot } from './ports.ts';
export { toCanvas, toJourney, TRIGGER_NODE, type Canvas, type CanvasNode, type CanvasEdge, type JourneyMeta } from './convert.ts';
export { applyChange, freshId, isDraftJourney, type JourneyChange } from './changes.ts';
export { startHistory, record, undo, redo, type History } from './history.ts';
export { layoutJourney, isLaidOut, nodeWidth, NODE_SIZE } from './layout.ts';
export { PALETTE, newNode, newJourney, type PaletteType } from './templates.ts';
export { issuesByNode, describeIssue, readableIssues } from './issues.ts';
