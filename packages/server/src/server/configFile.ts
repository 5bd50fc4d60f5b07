import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Id, isObject, MigrationMap, Team, Workspace } from '@baton/engine/internal';

/** A signing secret as Standard Webhooks writes one. */
export const signingSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** A published journey as the server keeps it: an immutable version. */
export const PublishedJourney = z.object({
  id: Id,
  version: z.number().int().positive(),
  publishedAt: z.string(),
  definition: z.unknown(),
});
export type PublishedJourney = z.infer<typeof PublishedJourney>;

/** A journey being edited; it may be invalid until it is published. */
export const JourneyDraft = z.object({ definition: z.unknown(), updatedAt: z.string() });
export type JourneyDraft = z.infer<typeof JourneyDraft>;

/**
 * A migration published and not yet finished (SPEC §10): written with the version it moves contacts to,
 * removed once every contact that maps has moved, and resumed at start after a crash.
 */
export const PendingMigration = z.object({ journey: Id, version: z.number().int().positive(), migrate: MigrationMap });
export type PendingMigration = z.infer<typeof PendingMigration>;

/** Who an API token speaks for. */
export const Role = z.enum(['admin', 'marketer', 'rep']);
export type Role = z.infer<typeof Role>;

/** An API token: admins run everything, marketers edit journeys, a rep works their own handoffs. */
export const ApiToken = z.object({
  id: z.string(),
  token: z.string().min(1),
  role: Role,
  /** The rep a rep token is bound to. */
  rep: z.string().optional(),
  name: z.string(),
  createdAt: z.string(),
});
export type ApiToken = z.infer<typeof ApiToken>;

/** Where handoff life-cycle events and webhook actions are delivered, signed with `secret`. */
export const WebhookEndpoint = z.object({
  id: z.string(),
  url: z.string(),
  secret: z.string().min(1),
  /** Event names to deliver (null: every one). */
  events: z.array(z.string()).nullable(),
  /** Set when the endpoint answered 410 Gone (or an admin turned it off). */
  disabled: z.object({ at: z.string(), reason: z.string() }).nullable(),
  createdAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/**
 * Drafts keyed by journey id. Read without rebuilding the object, so an id such as `__proto__` stays an
 * own key (zod's record would assign it through the prototype's setter).
 */
const DraftsById = z
  .custom<Record<string, JourneyDraft>>(isObject, 'must be an object of drafts keyed by journey id')
  .superRefine((drafts, ctx) => {
    for (const [id, draft] of Object.entries(drafts)) {
      for (const issue of JourneyDraft.safeParse(draft).error?.issues ?? [])
        ctx.addIssue({ ...issue, path: [id, ...issue.path] } as never);
    }
  });

/**
 * `DATA/config.json`: journeys, drafts and the team, tokens, webhooks and secrets, apart from runtime
 * state. Fields added by later Batons have defaults, so an older file opens; anything else must be there.
 */
export const ServerConfig = z.object({
  journeys: z.array(PublishedJourney),
  drafts: DraftsById.default({}),
  archived: z.array(Id).default([]),
  /** Migrations published and not yet finished: resumed at start. */
  migrations: z.array(PendingMigration).default([]),
  team: Team,
  workspace: Workspace,
  writeKey: z.string().min(16),
  /** The admin token printed by `baton serve` on first start (and by `baton signin`). */
  adminToken: z.string().min(16),
  tokens: z.array(ApiToken).default([]),
  webhooks: z.array(WebhookEndpoint).default([]),
  /** Signs inbound webhooks from a CRM (Standard Webhooks). */
  inboundSecret: z.string().min(1).default(signingSecret),
  /** Signs the deliveries of journeys' webhook actions. */
  actionSecret: z.string().min(1).default(signingSecret),
});
export type ServerConfig = z.infer<typeof ServerConfig>;
