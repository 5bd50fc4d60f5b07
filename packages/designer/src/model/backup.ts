import type { DraftJourney } from './draft.ts';

/** Where the unsaved changes of a journey are kept in the browser until the server has them. */
export const backupKey = (journeyId: string) => `baton.unsaved.${journeyId}`;

/** A journey's unsaved changes, as kept: when, and the journey. */
export interface Backup {
  at: string;
  journey: DraftJourney;
}

/** Reads a kept backup; anything unreadable counts as none. */
export function readBackup(text: string | null): Backup | null {
  if (!text) return null;
  try {
    const b = JSON.parse(text) as Backup;
    return typeof b.at === 'string' && b.journey && Array.isArray(b.journey.nodes) ? b : null;
  } catch {
    return null;
  }
}

/** The journey to open: the backup when it holds changes the server's copy does not, else the server's. */
export function journeyToOpen(
  server: DraftJourney,
  backup: Backup | null,
): { journey: DraftJourney; restored: string | null } {
  if (!backup || backup.journey.id !== server.id || JSON.stringify(backup.journey) === JSON.stringify(server))
    return { journey: server, restored: null };
  return { journey: backup.journey, restored: backup.at };
}
