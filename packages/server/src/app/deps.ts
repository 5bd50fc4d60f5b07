import type { Clock, Runtime, Store, Team, Workspace } from '@baton/engine';
import type { Configuration } from '../server/configuration.ts';
import type { Deliveries } from '../webhooks/deliveries.ts';
import type { LiveFeed } from '../live/liveFeed.ts';
import type { ReplayGuard } from '../webhooks/replayGuard.ts';

/** A published journey as the server keeps it: an immutable version. */
export interface PublishedJourney {
  id: string;
  version: number;
  publishedAt: string;
  definition: unknown;
}

/** A journey being edited; it may be invalid until it is published. */
export interface JourneyDraft {
  definition: unknown;
  updatedAt: string;
}

/** Who an API token speaks for. */
export type Role = 'admin' | 'marketer' | 'rep';

/** An API token: admins run everything, marketers edit journeys, a rep works their own handoffs. */
export interface ApiToken {
  id: string;
  token: string;
  role: Role;
  /** The rep a rep token is bound to. */
  rep?: string | undefined;
  name: string;
  createdAt: string;
}

/** Where handoff life-cycle events and webhook actions are delivered, signed with `secret`. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
  /** Event names to deliver (null: every one). */
  events: string[] | null;
  /** Set when the endpoint answered 410 Gone (or an admin turned it off). */
  disabled: { at: string; reason: string } | null;
  createdAt: string;
}

/** Configuration: journeys, drafts and the team, kept apart from runtime state. */
export interface ServerConfig {
  journeys: PublishedJourney[];
  drafts: Record<string, JourneyDraft>;
  archived: string[];
  team: Team;
  workspace: Workspace;
  writeKey: string;
  /** The admin token printed by `baton serve` on first start. */
  adminToken: string;
  tokens: ApiToken[];
  webhooks: WebhookEndpoint[];
  /** Signs inbound webhooks from a CRM (Standard Webhooks). */
  inboundSecret: string;
  /** Signs the deliveries of journeys' webhook actions. */
  actionSecret: string;
}

/** What the app needs; tests pass their own. */
export interface AppDeps {
  runtime: Runtime;
  store: Store;
  clock: Clock;
  config: Configuration;
  deliveries: Deliveries;
  live: LiveFeed;
  replayGuard: ReplayGuard;
  /** The built designer (packages/designer/dist), served at `/`; without it `/` is a page of curl commands. */
  designerDir?: string | undefined;
}
