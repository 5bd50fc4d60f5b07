import { z } from 'zod';
import { InboundEvent, Journey, Team, TrackEvent, IdentifyEvent } from '@baton/engine';
import { UnusedCall, ViewCall } from './segment.ts';
import { SegmentBatch } from './routes/events.ts';
import { AcceptRequest, OutcomeRequest, ReassignRequest, RejectRequest } from './routes/handoffs.ts';
import { InboundWebhook } from './routes/inbound.ts';
import { SimulationRequest } from './routes/simulations.ts';
import { RepChange } from './routes/team.ts';
import { TokenRequest } from './routes/tokens.ts';
import { WebhookChange, WebhookRequest } from './routes/webhooks.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One operation of the API as the reference shows it. */
interface Operation {
  method: Method;
  path: string;
  summary: string;
  /** Who may call it: roles of API tokens, or the write key, or a signature. */
  auth: 'writeKey' | 'signature' | 'none' | ('admin' | 'marketer' | 'rep')[];
  body?: string;
  /** The body may be left out (an empty body reads as `{}`). */
  bodyOptional?: boolean;
  query?: string[];
  /** Error statuses worth naming beside the general ones (400 for a body its schema refuses, 401, 403). */
  errors?: Record<string, string>;
}

const ALL = ['admin', 'marketer', 'rep'] as ('admin' | 'marketer' | 'rep')[];
const EDITORS = ['admin', 'marketer'] as ('admin' | 'marketer' | 'rep')[];

/** Every route of the API, in the order the reference lists them. */
export const OPERATIONS: Operation[] = [
  { method: 'post', path: '/v1/track', summary: 'Ingest a Segment track event (idempotent by messageId)', auth: 'writeKey', body: 'TrackEvent' },
  { method: 'post', path: '/v1/identify', summary: 'Ingest a Segment identify event', auth: 'writeKey', body: 'IdentifyEvent' },
  { method: 'post', path: '/v1/page', summary: 'Ingest a Segment page call, applied as the track event "Page Viewed"', auth: 'writeKey', body: 'ViewCall' },
  { method: 'post', path: '/v1/screen', summary: 'Ingest a Segment screen call, applied as the track event "Screen Viewed"', auth: 'writeKey', body: 'ViewCall' },
  { method: 'post', path: '/v1/group', summary: 'Acknowledge a Segment group call (not used by journeys: "status": "skipped")', auth: 'writeKey', body: 'UnusedCall' },
  { method: 'post', path: '/v1/alias', summary: 'Acknowledge a Segment alias call (not used by journeys: "status": "skipped")', auth: 'writeKey', body: 'UnusedCall' },
  { method: 'post', path: '/v1/batch', summary: 'Ingest a batch of Segment calls, all or nothing; anonymous, group and alias calls are counted as skipped', auth: 'writeKey', body: 'Batch' },
  { method: 'post', path: '/v1/inbound', summary: 'A CRM logs an accept, reject or outcome (Standard Webhooks signature, ±5 min, each webhook-id acted on once)', auth: 'signature', body: 'InboundWebhook', errors: { '401': 'signature_invalid: a bad signature or a timestamp more than 5 minutes off', '409': 'replayed: this webhook-id was already applied (atomically with its change: of two copies at once, one applies) or refused; handoff_not_open' } },
  { method: 'get', path: '/api/journeys', summary: 'List journeys with their status, version and draft', auth: ALL },
  { method: 'post', path: '/api/journeys', summary: 'Create a journey as a draft', auth: EDITORS, body: 'Journey' },
  { method: 'get', path: '/api/journeys/{id}', summary: 'A journey: latest version, draft and version history', auth: ALL },
  { method: 'get', path: '/api/journeys/{id}/versions/{version}', summary: 'One published version (read-only)', auth: ALL },
  { method: 'put', path: '/api/journeys/{id}/draft', summary: 'Save the draft', auth: EDITORS, body: 'Journey' },
  { method: 'delete', path: '/api/journeys/{id}/draft', summary: 'Discard the draft', auth: EDITORS },
  { method: 'post', path: '/api/journeys/{id}/validate', summary: 'Validate the draft, or the journey in the body: every problem with path and node', auth: EDITORS, body: 'Journey', bodyOptional: true },
  { method: 'post', path: '/api/journeys/{id}/publish', summary: 'Publish the draft as the next immutable version', auth: EDITORS },
  { method: 'post', path: '/api/journeys/{id}/archive', summary: 'Stop new entries; contacts inside finish on their version', auth: EDITORS },
  { method: 'get', path: '/api/team', summary: 'The team: calendars, reps, queues', auth: ALL },
  { method: 'put', path: '/api/team', summary: 'Replace the team (refused if a live journey would break)', auth: ['admin'], body: 'Team' },
  { method: 'get', path: '/api/team/reps', summary: 'Reps', auth: ALL },
  { method: 'get', path: '/api/team/queues', summary: 'Queues', auth: ALL },
  { method: 'get', path: '/api/team/calendars', summary: 'Calendars', auth: ALL },
  { method: 'patch', path: '/api/team/reps/{id}', summary: 'Change a rep at run time: active, capacity', auth: ['admin'], body: 'RepChange', errors: { '404': 'unknown_rep: no rep with this id in the team' } },
  { method: 'get', path: '/api/me', summary: 'Who the token speaks for: role, rep and name', auth: ALL },
  { method: 'get', path: '/api/workspace', summary: 'The workspace: its score models (SPEC §4)', auth: ALL },
  { method: 'get', path: '/api/contacts/{id}', summary: 'A contact: traits, scores, timeline, journeys, handoffs', auth: ALL },
  { method: 'get', path: '/api/handoffs', summary: 'Handoffs sorted by SLA due; a rep sees theirs and their queues\' unassigned work', auth: ALL, query: ['status', 'mine', 'assignee', 'queue', 'journey', 'breached'] },
  { method: 'get', path: '/api/handoffs/{id}', summary: 'A handoff with its full context and links', auth: ALL },
  { method: 'post', path: '/api/handoffs/{id}/accept', summary: 'Accept (the first touch; stops the SLA clock)', auth: ['admin', 'rep'], body: 'AcceptRequest', bodyOptional: true },
  { method: 'post', path: '/api/handoffs/{id}/reject', summary: 'Reject with a reason; it is routed again', auth: ['admin', 'rep'], body: 'RejectRequest', bodyOptional: true },
  { method: 'post', path: '/api/handoffs/{id}/outcome', summary: 'Log an outcome (and its value); the journey moves on', auth: ['admin', 'rep'], query: ['outcome'], body: 'OutcomeRequest', bodyOptional: true },
  { method: 'post', path: '/api/handoffs/{id}/claim', summary: 'A rep takes unassigned work from one of their queues', auth: ['rep'] },
  { method: 'post', path: '/api/handoffs/{id}/reassign', summary: 'Give a handoff to another rep', auth: ['admin'], body: 'ReassignRequest' },
  { method: 'get', path: '/api/reports', summary: 'Handoffs, accept rate, time to first touch, breaches, outcomes, conversion, revenue; per journey, node, queue and rep', auth: EDITORS, query: ['from', 'to', 'journey', 'format'] },
  { method: 'post', path: '/api/simulations', summary: 'Run a script or N synthetic contacts against drafts; returns the §8 report, with no side effects', auth: EDITORS, body: 'SimulationRequest' },
  { method: 'get', path: '/api/stream', summary: 'Server-Sent Events of handoff and journey events (the token also as ?access_token=, on this route only); ends with a "revoked" event when its token is revoked', auth: ALL, query: ['access_token'] },
  { method: 'get', path: '/api/tokens', summary: 'API tokens (without their secrets)', auth: ['admin'] },
  { method: 'post', path: '/api/tokens', summary: 'Issue a token for a role (a rep token names its rep)', auth: ['admin'], body: 'TokenRequest' },
  { method: 'delete', path: '/api/tokens/{id}', summary: 'Revoke a token', auth: ['admin'] },
  { method: 'get', path: '/api/webhooks', summary: 'Webhook endpoints', auth: ['admin'] },
  { method: 'post', path: '/api/webhooks', summary: 'Add an endpoint; deliveries are signed with its secret', auth: ['admin'], body: 'WebhookRequest' },
  { method: 'patch', path: '/api/webhooks/{id}', summary: 'Enable or disable an endpoint', auth: ['admin'], body: 'WebhookChange' },
  { method: 'delete', path: '/api/webhooks/{id}', summary: 'Remove an endpoint', auth: ['admin'] },
  { method: 'get', path: '/api/webhooks/deliveries', summary: 'Deliveries waiting and dead letters', auth: ['admin'] },
  { method: 'post', path: '/api/webhooks/dead-letters/replay', summary: 'Replay every dead letter', auth: ['admin'] },
  { method: 'post', path: '/api/webhooks/dead-letters/{id}/replay', summary: 'Replay one dead letter', auth: ['admin'] },
];

const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

/** The OpenAPI 3.1 document of the API, with request schemas generated from the same zod schemas that validate. */
export function openApiDocument(): Record<string, unknown> {
  const schemas = {
    TrackEvent: jsonSchema(TrackEvent),
    IdentifyEvent: jsonSchema(IdentifyEvent),
    ViewCall: jsonSchema(ViewCall),
    UnusedCall: jsonSchema(UnusedCall),
    Batch: jsonSchema(SegmentBatch.extend({ batch: z.array(z.union([InboundEvent, ViewCall, UnusedCall])) })),
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
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    for (const q of op.query ?? []) params.push({ name: q, in: 'query', required: false, schema: { type: 'string' } });
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      'x-baton-auth': op.auth,
      security: op.auth === 'writeKey' ? [{ writeKey: [] }] : op.auth === 'signature' || op.auth === 'none' ? [] : [{ token: [] }],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.body ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` } } } } } : {}),
      responses: {
        '200': { description: 'OK (201 when something was created, 204 when nothing is returned)' },
        ...(op.body ? { '400': { description: 'input_invalid: the body is not JSON, nests deeper than 64 levels, or its schema refuses it (every problem with its path; an unknown field is named)', content: ERROR } } : {}),
        ...Object.fromEntries(Object.entries(op.errors ?? {}).map(([status, description]) => [status, { description, content: ERROR }])),
        default: { description: 'An error: { "error": { "code", "message", "errors"? } }', content: ERROR },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Baton API', version: '0.1.0', description: 'Customer journeys that hand off to humans: events in, handoffs out, journeys, team, reports.' },
    paths,
    components: {
      securitySchemes: {
        writeKey: { type: 'http', scheme: 'basic', description: 'The write key as the user name, as Segment does' },
        token: { type: 'http', scheme: 'bearer', description: 'An API token: admin, marketer or rep' },
      },
      schemas: {
        ...schemas,
        Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, errors: { type: 'array' } }, required: ['code', 'message'] } } },
      },
    },
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A browsable reference of the API, rendered from the same operations (no scripts, no CDN). */
export function referencePage(): string {
  const rows = OPERATIONS.map((op) => {
    const who = Array.isArray(op.auth) ? op.auth.join(', ') : op.auth === 'writeKey' ? 'write key' : op.auth;
    const body = op.body ? `<a href="#schema-${op.body}">${op.body}</a>` : '';
    return `<tr><td><span class="m ${op.method}">${op.method.toUpperCase()}</span></td><td><code>${escape(op.path)}</code>${op.query ? `<div class="q">?${op.query.map(escape).join('&amp;')}</div>` : ''}</td><td>${escape(op.summary)}</td><td>${escape(who)}</td><td>${body}</td></tr>`;
  }).join('\n');
  const doc = openApiDocument() as { components: { schemas: Record<string, unknown> } };
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, s]) => `<details id="schema-${name}"><summary>${name}</summary><pre>${escape(JSON.stringify(s, null, 2))}</pre></details>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baton API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d2433}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.4rem .5rem;text-align:left;vertical-align:top}
code,pre{background:#f3f4f6;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem;overflow:auto;max-height:30rem}.m{font:600 12px monospace;padding:.1rem .4rem;border-radius:4px;color:#fff}.get{background:#2563eb}.post{background:#16a34a}.put{background:#d97706}.patch{background:#9333ea}.delete{background:#dc2626}.q{color:#6b7280;font-size:13px}</style></head>
<body><h1>Baton API reference</h1><p>The machine-readable document is <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI 3.1). API calls send <code>Authorization: Bearer TOKEN</code>; event intake sends the write key as the HTTP Basic user name. Errors are <code>{ "error": { "code", "message" } }</code>.</p>
<table><thead><tr><th></th><th>Path</th><th>What it does</th><th>Who</th><th>Body</th></tr></thead><tbody>
${rows}
</tbody></table><h2>Schemas</h2>${schemas}</body></html>`;
}
