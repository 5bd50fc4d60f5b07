import { applyChange, type JourneyChange } from './changes.ts';
import type { DraftJourney } from './draft.ts';

/** The journey being edited with its undo and redo stacks. */
export interface History {
  past: DraftJourney[];
  present: DraftJourney;
  future: DraftJourney[];
}

const LIMIT = 200;

export const startHistory = (journey: DraftJourney): History => ({ past: [], present: journey, future: [] });

/** Applies a change; it can be undone. A change that changes nothing is not recorded. */
export function record(history: History, change: JourneyChange): History {
  const next = applyChange(history.present, change);
  if (next === history.present) return history;
  return { past: [...history.past, history.present].slice(-LIMIT), present: next, future: [] };
}

export function undo(history: History): History {
  const previous = history.past.at(-1);
  if (!previous) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo(history: History): History {
  const [next, ...future] = history.future;
  if (!next) return history;
  return { past: [...history.past, history.present], present: next, future };
}
