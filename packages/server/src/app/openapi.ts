import { z } from 'zod';
import { GroupCall, InboundEvent, Journey, Team, TrackEvent, IdentifyEvent } from '@baton/engine';
import { RepModel } from '@baton/engine/internal';
import * as R from './responses.ts';
import { AliasCall, ViewCall } from './segment.ts';
import { BatchResult, CallResult, SegmentBatch } from './routes/events.ts';
import { AcceptRequest, OutcomeRequest, ReassignRequest, RejectRequest } from './routes/handoffs.ts';
import { InboundWebhook } from './routes/inbound.ts';
import { MigrationPlanRequest, PublishRequest } from './routes/journeys.ts';
import { BacktestRequest } from './routes/backtests.ts';
import { HealthAnswer } from './routes/ops.ts';
import { SimulationRequest } from './routes/simulations.ts';
import { RepChange } from './routes/team.ts';
import { TokenRequest } from './routes/tokens.ts';
import { WebhookChange, WebhookRequest } from './routes/webhooks.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One operation of the API as the reference shows it. */
interface Operation {
  method: Method;
  path: string;
  /** The operationId a generated client names the call by. */
  id: string;
  summary: string;
  /** Who may call it: roles of API tokens, or the write key, or a signature. */
  auth: 'writeKey' | 'signature' | 'none' | ('admin' | 'marketer' | 'rep')[];
  body?: string;
  /** The body may be left out (an empty body reads as `{}`). */
  bodyOptional?: boolean;
  query?: string[];
  /** The success status (200 unless said) and the schema of its answer; 204 answers nothing. */
  status?: 200 | 201 | 204;
  response?: string;
  /** Error statuses worth naming beside the general ones (400 for a body its schema refuses, 401, 403). */
  errors?: Record<string, string>;
}

const ALL = ['admin', 'marketer', 'rep'] as ('admin' | 'marketer' | 'rep')[];
const EDITORS = ['admin', 'marketer'] as ('admin' | 'marketer' | 'rep')[];
const INTAKE_ERRORS = {
  '413': 'too_large: more than 500 KB once decompressed, or an event over 32 KB',
  '415': 'unsupported_encoding: a Content-Encoding other than gzip or deflate',
  '503':
    'nothing was applied, send it again (Retry-After): store_failed (the data directory could not be written), data_dir_lock_lost (another process holds the data directory now), store_unavailable or write_conflict (PostgreSQL)',
};
const call = (type: string, short: string, summary: string, body: string): Operation[] => [
  {
    method: 'post',
    path: `/v1/${type}`,
    id: `${type}Call`,
    summary,
    auth: 'writeKey',
    body,
    response: 'CallResult',
    errors: INTAKE_ERRORS,
  },
  {
    method: 'post',
    path: `/v1/${short}`,
    id: `${type}CallShort`,
    summary: `${summary} (analytics.js's short path)`,
    auth: 'writeKey',
    body,
    response: 'CallResult',
    errors: INTAKE_ERRORS,
  },
];

/** Every route of the API, in the order the reference lists them. */
export const OPERATIONS: Operation[] = [
  ...call(
    'track',
    't',
    'Ingest a Segment track event (idempotent by messageId; only an anonymousId: kept on its anonymous profile)',
    'TrackEvent',
  ),
  ...call(
    'identify',
    'i',
    'Ingest a Segment identify event (a userId with an anonymousId links them)',
    'IdentifyEvent',
  ),
  ...call('page', 'p', 'Ingest a Segment page call, applied as the track event "Page Viewed"', 'ViewCall'),
  ...call('screen', 's', 'Ingest a Segment screen call, applied as the track event "Screen Viewed"', 'ViewCall'),
  ...call(
    'group',
    'g',
    'A Segment group call: makes its contact on first sight and links an anonymousId it carries (the group\'s traits are not applied; only an anonymousId: "status": "skipped")',
    'GroupCall',
  ),
  ...call('alias', 'a', 'Link an anonymousId (previousId) to a contact (userId)', 'AliasCall'),
  {
    method: 'post',
    path: '/v1/batch',
    id: 'batch',
    summary:
      'Ingest a batch of Segment calls: every valid one is applied, the refused ones are listed with their index and why',
    auth: 'writeKey',
    body: 'Batch',
    response: 'BatchResult',
    errors: INTAKE_ERRORS,
  },
  {
    method: 'post',
    path: '/v1/b',
    id: 'batchShort',
    summary: "Ingest a batch (analytics.js's short path)",
    auth: 'writeKey',
    body: 'Batch',
    response: 'BatchResult',
    errors: INTAKE_ERRORS,
  },
  {
    method: 'post',
    path: '/v1/inbound',
    id: 'inboundWebhook',
    summary:
      'A CRM logs an accept, reject or outcome (Standard Webhooks signature, ±5 min, each webhook-id acted on once)',
    auth: 'signature',
    body: 'InboundWebhook',
    response: 'InboundReceived',
    errors: {
      '401': 'signature_invalid: a bad signature or a timestamp more than 5 minutes off',
      '409':
        'replayed: this webhook-id was already applied (atomically with its change: of two copies at once, one applies) or refused; handoff_not_open',
    },
  },
  {
    method: 'get',
    path: '/api/journeys',
    id: 'listJourneys',
    summary: 'List journeys with their status, version and draft',
    auth: ALL,
    response: 'JourneyList',
  },
  {
    method: 'post',
    path: '/api/journeys',
    id: 'createJourney',
    summary: 'Create a journey as a draft',
    auth: EDITORS,
    body: 'Journey',
    status: 201,
    response: 'JourneySaved',
  },
  {
    method: 'get',
    path: '/api/journeys/{id}',
    id: 'getJourney',
    summary: 'A journey: latest version, draft and version history',
    auth: ALL,
    response: 'JourneyDetail',
  },
  {
    method: 'get',
    path: '/api/journeys/{id}/versions/{version}',
    id: 'getJourneyVersion',
    summary: 'One published version (read-only)',
    auth: ALL,
    response: 'JourneyVersion',
  },
  {
    method: 'put',
    path: '/api/journeys/{id}/draft',
    id: 'saveDraft',
    summary: 'Save the draft',
    auth: EDITORS,
    body: 'Journey',
    response: 'JourneySaved',
  },
  {
    method: 'delete',
    path: '/api/journeys/{id}/draft',
    id: 'discardDraft',
    summary: 'Discard the draft',
    auth: EDITORS,
    status: 204,
  },
  {
    method: 'post',
    path: '/api/journeys/{id}/validate',
    id: 'validateJourney',
    summary: 'Validate the draft, or the journey in the body: every problem with path and node',
    auth: EDITORS,
    body: 'Journey',
    bodyOptional: true,
    response: 'ValidationReport',
  },
  {
    method: 'post',
    path: '/api/journeys/{id}/publish',
    id: 'publishJourney',
    summary:
      'Publish the draft as the next immutable version; with a migration map, move the contacts waiting at mapped nodes of older versions to it',
    auth: EDITORS,
    body: 'PublishRequest',
    bodyOptional: true,
    status: 201,
    response: 'PublishedVersion',
    errors: { '422': 'journey_invalid: the draft has problems' },
  },
  {
    method: 'post',
    path: '/api/journeys/{id}/migration-plan',
    id: 'planMigration',
    summary:
      'What publishing the draft (or the journey in the body) with a migration map would move, per source and target node, and which contacts cannot move and why; nothing changes',
    auth: EDITORS,
    body: 'MigrationPlanRequest',
    bodyOptional: true,
    response: 'MigrationPlan',
    errors: {
      '404': 'not_found: no such journey, or no draft to plan',
      '422': 'journey_invalid: the journey has problems',
    },
  },
  {
    method: 'post',
    path: '/api/journeys/{id}/backtest',
    id: 'backtestJourney',
    summary:
      'Replay the events kept for [from, to) through the draft (or the journey in the body) on a virtual clock, side effect free, reps acting as fitted to that period; beside it, the live report of the period, and `compare`: both summed up in the same terms (entries, path counts, handoffs per rep per day, breaches, outcomes)',
    auth: EDITORS,
    body: 'BacktestRequest',
    response: 'Object',
    errors: { '404': 'not_found: no such journey', '422': 'journey_invalid: the journey has problems' },
  },
  {
    method: 'post',
    path: '/api/journeys/{id}/archive',
    id: 'archiveJourney',
    summary: 'Stop new entries; contacts inside finish on their version',
    auth: EDITORS,
    response: 'JourneySummary',
  },
  {
    method: 'get',
    path: '/api/team',
    id: 'getTeam',
    summary: 'The team: calendars, reps, queues',
    auth: ALL,
    response: 'Team',
  },
  {
    method: 'put',
    path: '/api/team',
    id: 'setTeam',
    summary: 'Replace the team (refused if a live journey would break)',
    auth: ['admin'],
    body: 'Team',
    response: 'Team',
  },
  { method: 'get', path: '/api/team/reps', id: 'listReps', summary: 'Reps', auth: ALL, response: 'Object' },
  { method: 'get', path: '/api/team/queues', id: 'listQueues', summary: 'Queues', auth: ALL, response: 'Object' },
  {
    method: 'get',
    path: '/api/team/calendars',
    id: 'listCalendars',
    summary: 'Calendars',
    auth: ALL,
    response: 'Object',
  },
  {
    method: 'patch',
    path: '/api/team/reps/{id}',
    id: 'changeRep',
    summary: 'Change a rep at run time: active, capacity',
    auth: ['admin'],
    body: 'RepChange',
    response: 'Object',
    errors: { '404': 'unknown_rep: no rep with this id in the team' },
  },
  {
    method: 'get',
    path: '/api/me',
    id: 'me',
    summary: 'Who the token speaks for: role, rep and name',
    auth: ALL,
    response: 'Me',
  },
  {
    method: 'get',
    path: '/api/workspace',
    id: 'getWorkspace',
    summary: 'The workspace: its score models (SPEC §4)',
    auth: ALL,
    response: 'Object',
  },
  {
    method: 'get',
    path: '/api/contacts/{id}',
    id: 'getContact',
    summary:
      'A contact (or an anonymous profile): traits, scores, timeline, journeys, handoffs. The id is any string: escape it in the path',
    auth: ALL,
    response: 'ContactView',
  },
  {
    method: 'get',
    path: '/api/handoffs',
    id: 'listHandoffs',
    summary:
      "Handoffs sorted by SLA due, a page at a time (status: open, closed or all; unassigned=true: waiting for a rep; limit: 1 to 1000, the default; after: the page before's next); a rep sees theirs and their queues' unassigned work",
    auth: ALL,
    query: ['status', 'mine', 'assignee', 'unassigned', 'queue', 'journey', 'breached', 'limit', 'after'],
    response: 'HandoffList',
  },
  {
    method: 'get',
    path: '/api/handoffs/{id}',
    id: 'getHandoff',
    summary: 'A handoff with its full context and links',
    auth: ALL,
    response: 'HandoffView',
  },
  {
    method: 'post',
    path: '/api/handoffs/{id}/accept',
    id: 'acceptHandoff',
    summary: 'Accept (the first touch; stops the SLA clock)',
    auth: ['admin', 'rep'],
    body: 'AcceptRequest',
    bodyOptional: true,
    response: 'HandoffView',
  },
  {
    method: 'post',
    path: '/api/handoffs/{id}/reject',
    id: 'rejectHandoff',
    summary: 'Reject with a reason; it is routed again',
    auth: ['admin', 'rep'],
    body: 'RejectRequest',
    bodyOptional: true,
    response: 'HandoffView',
  },
  {
    method: 'post',
    path: '/api/handoffs/{id}/outcome',
    id: 'logOutcome',
    summary: 'Log an outcome (and its value); the journey moves on',
    auth: ['admin', 'rep'],
    query: ['outcome'],
    body: 'OutcomeRequest',
    bodyOptional: true,
    response: 'HandoffView',
  },
  {
    method: 'post',
    path: '/api/handoffs/{id}/claim',
    id: 'claimHandoff',
    summary: 'A rep takes unassigned work from one of their queues',
    auth: ['rep'],
    response: 'HandoffView',
  },
  {
    method: 'post',
    path: '/api/handoffs/{id}/reassign',
    id: 'reassignHandoff',
    summary: 'Give a handoff to another rep',
    auth: ['admin'],
    body: 'ReassignRequest',
    response: 'HandoffView',
  },
  {
    method: 'get',
    path: '/api/reports',
    id: 'getReport',
    summary:
      'Handoffs, accept rate, time to first touch, breaches, rejections, outcomes, conversion, revenue; per journey, node, queue, rep and day (format=csv for a spreadsheet)',
    auth: EDITORS,
    query: ['from', 'to', 'journey', 'format'],
    response: 'Object',
  },
  {
    method: 'get',
    path: '/api/events',
    id: 'exportEvents',
    summary:
      'The events accepted in [from, to) (kept 30 days unless --event-retention says otherwise) as Segment calls, one JSON a line, oldest first: what baton simulate --events replays',
    auth: EDITORS,
    query: ['from', 'to'],
    response: 'EventLines',
  },
  {
    method: 'get',
    path: '/api/reps/loads',
    id: 'getRepLoads',
    summary:
      "Each rep's open handoffs and how many are late (not accepted, and breached or past due), from each rep's own list",
    auth: EDITORS,
    response: 'RepLoads',
  },
  {
    method: 'get',
    path: '/api/reps/model',
    id: 'getRepModel',
    summary:
      "The reps' behaviour fitted to handoffs created in [from, to): accept share, mean seconds to accept and to outcome, outcome mix per journey and node (what baton simulate --reps takes)",
    auth: EDITORS,
    query: ['from', 'to'],
    response: 'RepModel',
  },
  {
    method: 'post',
    path: '/api/simulations',
    id: 'simulate',
    summary: 'Run a script or N synthetic contacts against drafts; returns the §8 report, with no side effects',
    auth: EDITORS,
    body: 'SimulationRequest',
    response: 'Object',
    errors: {
      '503':
        'simulations_busy: populations run one per core beyond the first, and 8 more wait their turn; this one found the line full (Retry-After)',
    },
  },
  {
    method: 'get',
    path: '/api/stream',
    id: 'stream',
    summary:
      'Server-Sent Events of handoff and journey events (the token also as ?access_token=, on this route only); ends with a "revoked" event when its token is revoked',
    auth: ALL,
    query: ['access_token'],
    response: 'EventStream',
  },
  {
    method: 'get',
    path: '/api/tokens',
    id: 'listTokens',
    summary: 'API tokens (without their secrets)',
    auth: ['admin'],
    response: 'TokenList',
  },
  {
    method: 'post',
    path: '/api/tokens',
    id: 'createToken',
    summary: 'Issue a token for a role (a rep token names its rep); the secret is shown once',
    auth: ['admin'],
    body: 'TokenRequest',
    status: 201,
    response: 'IssuedToken',
  },
  {
    method: 'delete',
    path: '/api/tokens/{id}',
    id: 'revokeToken',
    summary: 'Revoke a token',
    auth: ['admin'],
    status: 204,
  },
  {
    method: 'get',
    path: '/api/webhooks',
    id: 'listWebhooks',
    summary: 'Webhook endpoints',
    auth: ['admin'],
    response: 'WebhookList',
  },
  {
    method: 'post',
    path: '/api/webhooks',
    id: 'addWebhook',
    summary: 'Add an endpoint; deliveries are signed with its secret',
    auth: ['admin'],
    body: 'WebhookRequest',
    status: 201,
    response: 'WebhookEndpoint',
  },
  {
    method: 'patch',
    path: '/api/webhooks/{id}',
    id: 'changeWebhook',
    summary: 'Enable or disable an endpoint',
    auth: ['admin'],
    body: 'WebhookChange',
    response: 'WebhookEndpoint',
  },
  {
    method: 'delete',
    path: '/api/webhooks/{id}',
    id: 'removeWebhook',
    summary: 'Remove an endpoint',
    auth: ['admin'],
    status: 204,
  },
  {
    method: 'get',
    path: '/api/webhooks/inbound',
    id: 'getInboundSecret',
    summary: 'The secret a CRM signs inbound webhooks to /v1/inbound with (Standard Webhooks)',
    auth: ['admin'],
    response: 'InboundSecret',
  },
  {
    method: 'post',
    path: '/api/webhooks/inbound/rotate',
    id: 'rotateInboundSecret',
    summary: 'Replace the inbound secret; the old one stops working at once',
    auth: ['admin'],
    response: 'InboundSecret',
  },
  {
    method: 'get',
    path: '/api/webhooks/deliveries',
    id: 'listDeliveries',
    summary: 'Deliveries waiting and dead letters',
    auth: ['admin'],
    response: 'DeliveryList',
  },
  {
    method: 'post',
    path: '/api/webhooks/dead-letters/replay',
    id: 'replayDeadLetters',
    summary: 'Replay every dead letter',
    auth: ['admin'],
    response: 'Replayed',
  },
  {
    method: 'post',
    path: '/api/webhooks/dead-letters/{id}/replay',
    id: 'replayDeadLetter',
    summary: 'Replay one dead letter',
    auth: ['admin'],
    response: 'Replayed',
  },
  {
    method: 'get',
    path: '/healthz',
    id: 'health',
    summary: 'Alive: this process answers (no token; one status word, nothing else)',
    auth: 'none',
    response: 'Health',
  },
  {
    method: 'get',
    path: '/readyz',
    id: 'readiness',
    summary:
      'Ready for traffic: started, not draining, the store reachable with its schema migrated, the scheduler running; otherwise 503 with the status starting, draining, stopped or unavailable (no token; nothing else is said)',
    auth: 'none',
    response: 'Health',
  },
  {
    method: 'get',
    path: '/metrics',
    id: 'metrics',
    summary:
      "This process's Prometheus metrics (text format); an admin token, or none when Baton runs with --metrics open (BATON_METRICS=open)",
    auth: ['admin'],
    response: 'Metrics',
  },
];

const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** A zod schema as the JSON Schema of a request (what it accepts) or a response (what it gives). */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

/** The body or answer of an operation, by schema name. */
const content = (name: string) =>
  name === 'EventStream'
    ? { 'text/event-stream': { schema: { type: 'string' } } }
    : name === 'EventLines'
      ? { 'application/x-ndjson': { schema: { type: 'string', description: 'one Segment call (JSON) a line' } } }
      : name === 'Metrics'
        ? { 'text/plain': { schema: { type: 'string' } } }
        : { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } };

/**
 * The OpenAPI 3.1 document of the API, good for a typed client: an operationId on every operation,
 * request and answer schemas generated from the zod schemas that validate the bodies and type the answers,
 * each success status as the route answers it, and the server (relative: the one it was read from).
 */
export function openApiDocument(): Record<string, unknown> {
  const schemas: Record<string, unknown> = {
    TrackEvent: jsonSchema(TrackEvent),
    IdentifyEvent: jsonSchema(IdentifyEvent),
    ViewCall: jsonSchema(ViewCall),
    GroupCall: jsonSchema(GroupCall),
    AliasCall: jsonSchema(AliasCall),
    Batch: jsonSchema(SegmentBatch.extend({ batch: z.array(z.union([InboundEvent, ViewCall, GroupCall, AliasCall])) })),
    CallResult: jsonSchema(CallResult, 'output'),
    BatchResult: jsonSchema(BatchResult, 'output'),
    InboundWebhook: jsonSchema(InboundWebhook),
    Journey: jsonSchema(Journey),
    Team: jsonSchema(Team),
    SimulationRequest: jsonSchema(SimulationRequest),
    TokenRequest: jsonSchema(TokenRequest),
    WebhookRequest: jsonSchema(WebhookRequest),
    WebhookChange: jsonSchema(WebhookChange),
    RepChange: jsonSchema(RepChange),
    AcceptRequest: jsonSchema(AcceptRequest),
    RejectRequest: jsonSchema(RejectRequest),
    OutcomeRequest: jsonSchema(OutcomeRequest),
    ReassignRequest: jsonSchema(ReassignRequest),
    PublishRequest: jsonSchema(PublishRequest),
    BacktestRequest: jsonSchema(BacktestRequest),
    RepModel: jsonSchema(RepModel, 'output'),
    RepLoads: jsonSchema(R.RepLoads, 'output'),
    MigrationPlanRequest: jsonSchema(MigrationPlanRequest),
    MigrationPlan: jsonSchema(R.MigrationPlan, 'output'),
    PublishedVersion: jsonSchema(R.PublishedVersion, 'output'),
    Object: jsonSchema(R.ObjectAnswer, 'output'),
    HandoffView: jsonSchema(R.HandoffView, 'output'),
    HandoffList: jsonSchema(R.HandoffList, 'output'),
    ContactView: jsonSchema(R.ContactView, 'output'),
    TokenList: jsonSchema(R.TokenList, 'output'),
    IssuedToken: jsonSchema(R.IssuedToken, 'output'),
    Me: jsonSchema(R.Me, 'output'),
    ValidationReport: jsonSchema(R.ValidationReport, 'output'),
    JourneySummary: jsonSchema(R.JourneySummary, 'output'),
    JourneyList: jsonSchema(R.JourneyList, 'output'),
    JourneySaved: jsonSchema(R.JourneySaved, 'output'),
    JourneyDetail: jsonSchema(R.JourneyDetail, 'output'),
    JourneyVersion: jsonSchema(R.JourneyVersion, 'output'),
    WebhookEndpoint: jsonSchema(R.WebhookEndpointView, 'output'),
    WebhookList: jsonSchema(R.WebhookList, 'output'),
    DeliveryList: jsonSchema(R.DeliveryList, 'output'),
    Replayed: jsonSchema(R.Replayed, 'output'),
    InboundSecret: jsonSchema(R.InboundSecret, 'output'),
    InboundReceived: jsonSchema(R.InboundReceived, 'output'),
    Health: jsonSchema(HealthAnswer, 'output'),
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const q of op.query ?? []) params.push({ name: q, in: 'query', required: false, schema: { type: 'string' } });
    const status = op.status ?? 200;
    const success =
      status === 204
        ? { description: 'Done; nothing is returned' }
        : { description: status === 201 ? 'Created' : 'OK', content: content(op.response ?? 'Object') };
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.id,
      summary: op.summary,
      'x-baton-auth': op.auth,
      security:
        op.auth === 'writeKey'
          ? [{ writeKey: [] }, {}]
          : op.auth === 'signature' || op.auth === 'none'
            ? []
            : [{ token: [] }],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.body ? { requestBody: { required: !op.bodyOptional, content: content(op.body) } } : {}),
      responses: {
        [String(status)]: success,
        ...(op.body
          ? {
              '400': {
                description:
                  'input_invalid: the body is not JSON, nests deeper than 64 levels, or its schema refuses it (every problem with its path; an unknown field is named)',
                content: ERROR,
              },
            }
          : {}),
        ...Object.fromEntries(
          Object.entries(op.errors ?? {}).map(([code, description]) => [code, { description, content: ERROR }]),
        ),
        default: { description: 'An error: { "error": { "code", "message", "errors"? } }', content: ERROR },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Baton API',
      version: '0.1.0',
      description:
        'Customer journeys that hand off to humans: events in, handoffs out, journeys, team, reports. Instants are ISO 8601 strings in UTC.',
    },
    // Relative: the Baton this document was read from, whatever its address (OpenAPI resolves it against the document's URL).
    servers: [{ url: '/', description: 'this Baton' }],
    paths,
    components: {
      securitySchemes: {
        writeKey: {
          type: 'http',
          scheme: 'basic',
          description: 'The write key as the user name, as Segment does (or "writeKey" in the body)',
        },
        token: { type: 'http', scheme: 'bearer', description: 'An API token: admin, marketer or rep' },
      },
      schemas: {
        ...schemas,
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                errors: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      path: { type: 'string' },
                      node: { type: ['string', 'null'] },
                      message: { type: 'string' },
                    },
                  },
                },
              },
              required: ['code', 'message'],
            },
          },
          required: ['error'],
        },
      },
    },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A browsable reference of the API, rendered from the same operations (no scripts, no CDN). */
export function referencePage(): string {
  const rows = OPERATIONS.map((op) => {
    const who = Array.isArray(op.auth) ? op.auth.join(', ') : op.auth === 'writeKey' ? 'write key' : op.auth;
    const body = op.body ? `<a href="#schema-${op.body}">${op.body}</a>` : '';
    return `<tr><td><span class="m ${op.method}">${op.method.toUpperCase()}</span></td><td><code>${escapeHtml(op.path)}</code>${op.query ? `<div class="q">?${op.query.map(escape).join('&amp;')}</div>` : ''}</td><td>${escapeHtml(op.summary)}</td><td>${escapeHtml(who)}</td><td>${body}</td></tr>`;
  }).join('\n');
  const doc = openApiDocument() as { components: { schemas: Record<string, unknown> } };
  const schemas = Object.entries(doc.components.schemas)
    .map(
      ([name, s]) =>
        `<details id="schema-${name}"><summary>${name}</summary><pre>${escapeHtml(JSON.stringify(s, null, 2))}</pre></details>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baton API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d2433}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.4rem .5rem;text-align:left;vertical-align:top}
code,pre{background:#f3f4f6;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem;overflow:auto;max-height:30rem}.m{font:600 12px monospace;padding:.1rem .4rem;border-radius:4px;color:#fff}.get{background:#2563eb}.post{background:#16a34a}.put{background:#d97706}.patch{background:#9333ea}.delete{background:#dc2626}.q{color:#6b7280;font-size:13px}</style></head>
<body><h1>Baton API reference</h1><p>The machine-readable document is <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI 3.1). API calls send <code>Authorization: Bearer TOKEN</code>; event intake sends the write key as the HTTP Basic user name. Errors are <code>{ "error": { "code", "message" } }</code>.</p>
<table><thead><tr><th></th><th>Path</th><th>What it does</th><th>Who</th><th>Body</th></tr></thead><tbody>
${rows}
</tbody></table><h2>Schemas</h2>${schemas}</body></html>`;
}
