import { z } from 'zod';

/**
 * The shapes of the API's answers, as zod schemas: the OpenAPI document is generated from them, and the
 * routes build their answers typed by them (`z.infer`), so the document and the answers cannot drift apart.
 * Every instant is an ISO 8601 string (SPEC §2).
 */
const Instant = z.string().meta({ format: 'date-time', description: 'an ISO 8601 instant' });
const AnyObject = z.record(z.string(), z.unknown());

/** A handoff as a rep sees it, with where to act on it. */
export const HandoffView = z.looseObject({
  id: z.string(),
  title: z.string(),
  priority: z.string(),
  contactId: z.string(),
  journey: z.string(),
  version: z.number(),
  team: z.string(),
  node: z.string(),
  record: z.string(),
  status: z.enum(['open', 'closed']),
  queue: z.string().nullable(),
  assignee: z.string().nullable(),
  createdAt: Instant.nullable(),
  assignedAt: Instant.nullable(),
  dueAt: Instant.nullable(),
  acceptedAt: Instant.nullable(),
  closedAt: Instant.nullable(),
  breached: z.boolean(),
  escalatedTo: z.string().nullable(),
  outcome: z.string().nullable(),
  outcomes: z.array(z.string()),
  value: z.number().nullable(),
  rejectedBy: z.array(z.object({ rep: z.string(), reason: z.string().nullable(), at: Instant })),
  trace: z.array(z.string()),
  why: z.array(z.string()),
  context: AnyObject,
  links: z.object({
    self: z.string(),
    contact: z.string(),
    accept: z.string(),
    reject: z.string(),
    outcomes: z.record(z.string(), z.string()),
  }),
});

/** A page of handoffs, sorted by SLA due, and the `after` of the next page (null: this is the last). */
export const HandoffList = z.object({ handoffs: z.array(HandoffView), next: z.string().nullable() });

/** Each rep of the team with their open handoffs and how many of those are late. */
export const RepLoads = z.object({
  reps: z.array(z.object({ rep: z.string(), open: z.number().int(), late: z.number().int() })),
});

/** A contact: traits, scores, timeline, journeys and handoffs. */
export const ContactView = z.object({
  id: z.string(),
  anonymous: z.boolean(),
  linkedTo: z.string().nullable(),
  traits: AnyObject,
  scores: z.record(z.string(), z.number()),
  timeline: z.array(z.object({ name: z.string(), at: Instant, properties: AnyObject })),
  journeys: z.array(
    z.object({
      journey: z.string(),
      version: z.number(),
      status: z.string(),
      node: z.string().nullable(),
      path: z.array(z.string()),
      outcome: z.string().nullable(),
      runs: z.number(),
    }),
  ),
  handoffs: z.array(HandoffView),
});

/** An API token as listed (without its secret). */
export const TokenSummary = z.object({
  id: z.string(),
  role: z.enum(['admin', 'marketer', 'rep']),
  rep: z.string().optional(),
  name: z.string(),
  createdAt: Instant,
});
/** A token just issued: its secret is shown this once. */
export const IssuedToken = TokenSummary.extend({ token: z.string() });
export const TokenList = z.object({ tokens: z.array(TokenSummary) });

/** Who the token speaks for. */
export const Me = z.object({
  role: z.enum(['admin', 'marketer', 'rep']),
  rep: z.string().optional(),
  /** The rep's name in the team (an addition), for a rep's token. */
  repName: z.string().optional(),
  name: z.string(),
});

/** Every problem of a journey at once. */
export const ValidationReport = z.object({
  valid: z.boolean(),
  errors: z.array(z.object({ path: z.string(), node: z.string().nullable(), message: z.string() })),
});

/** A journey in the list. */
export const JourneySummary = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'published', 'archived']),
  version: z.number().nullable(),
  publishedAt: Instant.nullable(),
  draft: z.object({ updatedAt: Instant, valid: z.boolean() }).nullable(),
});
export const JourneyList = z.object({ journeys: z.array(JourneySummary) });
/** A journey after a save: its summary and the draft's validation. */
export const JourneySaved = JourneySummary.extend({ validation: ValidationReport });
/** A journey with its latest version, draft and version history. */
export const JourneyDetail = JourneySummary.extend({
  definition: z.unknown(),
  draftDefinition: z.unknown(),
  versions: z.array(z.object({ version: z.number(), publishedAt: Instant })),
});
/** One published version. */
export const JourneyVersion = z.object({
  id: z.string(),
  version: z.number(),
  publishedAt: Instant,
  definition: z.unknown(),
});

/** What a migration would do (SPEC §10): contacts per source → target node, and those that cannot move, with why. */
export const MigrationPlan = z.object({
  journey: z.string(),
  version: z.number().meta({ description: 'the version the contacts move to' }),
  moves: z.array(z.object({ fromVersion: z.number(), from: z.string(), to: z.string(), contacts: z.number() })),
  blocked: z.array(
    z.object({ contactId: z.string(), fromVersion: z.number(), from: z.string(), to: z.string(), reason: z.string() }),
  ),
  unmapped: z
    .array(z.object({ fromVersion: z.number(), from: z.string(), contacts: z.number() }))
    .meta({ description: 'waiting nodes that map nowhere, with how many contacts stay there' }),
});
/** A version just published; with a migration map, what the migration did (`moved`: contacts moved). */
export const PublishedVersion = JourneyVersion.extend({
  migration: MigrationPlan.extend({ moved: z.number() }).optional(),
});

/** A webhook endpoint, with the secret its deliveries are signed with. */
export const WebhookEndpointView = z.object({
  id: z.string(),
  url: z.string(),
  secret: z.string(),
  events: z.array(z.string()).nullable(),
  disabled: z.object({ at: Instant, reason: z.string() }).nullable(),
  createdAt: Instant,
});
export const WebhookList = z.object({ endpoints: z.array(WebhookEndpointView) });
/** A delivery waiting or dead. */
export const DeliveryView = z.object({
  id: z.string(),
  endpoint: z.string().nullable(),
  url: z.string(),
  event: z.string(),
  body: z.string(),
  attempts: z.number(),
  nextAt: Instant,
  lastError: z.string().nullable(),
  createdAt: Instant,
});
export const DeliveryList = z.object({ pending: z.array(DeliveryView), dead: z.array(DeliveryView) });
export const Replayed = z.object({ replayed: z.number() });

/** The secret inbound webhooks are signed with (Standard Webhooks), and where to send them. */
export const InboundSecret = z.object({ secret: z.string(), url: z.string() });
/** What an inbound webhook did. */
export const InboundReceived = z.object({ received: z.string(), handoff: z.string() });

/** Free-form answers documented as objects: reports, simulation reports, the team, the workspace. */
export const ObjectAnswer = AnyObject;
