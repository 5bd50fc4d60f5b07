import type { Clock, Runtime, Store, Team, Workspace } from '@baton/engine';

/** A published journey as the server keeps it. */
export interface PublishedJourney {
  id: string;
  version: number;
  publishedAt: string;
  definition: unknown;
}

/** Configuration: journeys and the team, kept apart from runtime state. */
export interface ServerConfig {
  journeys: PublishedJourney[];
  team: Team;
  workspace: Workspace;
  writeKey: string;
  adminToken: string;
}

/** What the app needs; tests pass their own. */
export interface AppDeps {
  runtime: Runtime;
  store: Store;
  clock: Clock;
  config: ServerConfig;
}
