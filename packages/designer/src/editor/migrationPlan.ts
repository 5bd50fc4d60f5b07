/** The server's migration plan (SPEC §10): contacts per source → target node, who cannot move and why, and who stays. */
export interface MigrationPlan {
  version: number;
  moves: { fromVersion: number; from: string; to: string; contacts: number }[];
  blocked: { contactId: string; fromVersion: number; from: string; to: string; reason: string }[];
  unmapped: { fromVersion: number; from: string; contacts: number }[];
}

/** Whether any contact waits in an older version, so publishing should offer to move them. */
export const hasWaiting = (plan: MigrationPlan) => plan.moves.length + plan.blocked.length + plan.unmapped.length > 0;
