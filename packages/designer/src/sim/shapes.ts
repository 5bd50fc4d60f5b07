import type { handoffRecordView } from '@baton/engine/internal';

/** A handoff as a rep sees it (the engine's view), in simulation and live. */
export type HandoffRecordViewShape = ReturnType<typeof handoffRecordView>;
