import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/app/openapi.ts';
import { within } from './batonProcess.ts';
import {
  encode,
  mutate,
  mutation,
  nasty,
  ODD_BODIES,
  protoChanges,
  protoOwn,
  RAW,
  type Mutation,
} from './fuzzInputs.ts';
import { json, pricingLead, testServer } from './harness.ts';

/**
 * The API never answers 5xx, never shows a stack trace and never hangs, whatever arrives: every operation
 * of the OpenAPI document is called in-process with generated path parameters, query strings, headers
 * (valid and invalid credentials) and JSON bodies (odd values, deep nesting, huge strings, `__proto__`
 * keys, mutations of valid bodies). Afterwards Object.prototype is as it was and intake still works.
 * BATON_FUZZ_SEED replays another seed; BATON_FUZZ_RUNS sets the runs per operation.
 */
const SEED = Number(process.env.BATON_FUZZ_SEED ?? 20_261_113);
const RUNS = Number(process.env.BATON_FUZZ_RUNS ?? 150);
const CALL_MS = 10_000;
const ROOT = new URL('../../../', import.meta.url).pathname;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Auth = 'writeKey' | 'signature' | 'none' | ('admin' | 'marketer' | 'rep')[];
interface Op {
  method: Method;
  path: string;
  auth: Auth;
  body?: string;
  query: string[];
}

/** The operations of the document the server serves (checked equal to GET /api/openapi.json below). */
const DOC = openApiDocument() as {
  paths: Record<
    string,
    Record<
      Method,
      {
        'x-baton-auth': Auth;
        parameters?: { name: string; in: string }[];
        requestBody?: { content: { 'application/json': { schema: { $ref: string } } } };
      }
    >
  >;
};
const OPS: Op[] = Object.entries(DOC.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    method: method as Method,
    path,
    auth: op['x-baton-auth'],
    body: op.requestBody?.content['application/json'].schema.$ref.split('/').at(-1),
    query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
  })),
);

// ---------- the server and what it knows ----------

let server: Awaited<ReturnType<typeof testServer>>;
const ids: Record<string, string[]> = {};
const credentials: Record<string, string> = {};
/** Valid bodies of each operation (by schema name, or by method and path), which mutations start from. */
let examples: Record<string, unknown[]> = {};
const examplesOf = (op: Op) => examples[op.body ?? `${op.method} ${op.path}`];
let webhookIds = 0;
let leads = 0;
let draftJourney: Record<string, unknown>;
let protoBefore: Map<string, unknown>;
const arrayBefore = Object.getOwnPropertyNames(Array.prototype);

const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;
const sameLengthNonAscii = (secret: string) => `${secret.slice(0, -1)}é`;

beforeAll(async () => {
  protoBefore = protoOwn();
  // No tick: nothing is delivered to the webhook URLs that generated bodies may add.
  server = await testServer({ tickMs: 1_000_000_000 });
  expect(await json(server.app.request('/api/openapi.json'))).toEqual(JSON.parse(JSON.stringify(DOC)));
  const pricing = JSON.parse(readFileSync(`${ROOT}examples/pricing-intent/journey.json`, 'utf8')) as Record<
    string,
    unknown
  >;
  // Ids that name Object.prototype's members, where the API takes them: a rep, a queue, and journeys a
  // contact enters, so reports, routing and simulations hold them (nothing here is asserted: refusing such
  // ids is fine too).
  const team = await json<{ calendars: object; reps: object[]; queues: object[] }>(
    server.call(server.adminToken, 'GET', '/api/team'),
  );
  await server.call(server.adminToken, 'PUT', '/api/team', {
    ...team,
    reps: [...team.reps, { id: 'constructor', name: 'Hostile Rep', team: 'sales' }],
    queues: [...team.queues, { id: '__proto__', members: ['constructor'] }],
  });
  for (const id of ['__proto__', 'constructor']) {
    await server.call(server.adminToken, 'POST', '/api/journeys', {
      ...pricing,
      id,
      name: `Hostile ${id}`,
      trigger: { event: 'Hostile Visit' },
    });
    await server.call(server.adminToken, 'POST', `/api/journeys/${id}/publish`);
  }
  await server.ingest('identify', {
    userId: 'fuzz-hostile',
    traits: { company: 'Hostile', employees: 900, title: 'VP Sales', region: 'EMEA' },
  });
  await server.ingest('track', { userId: 'fuzz-hostile', event: 'Hostile Visit' });
  const spare = await json<{ id: string }>(
    server.call(server.adminToken, 'POST', '/api/tokens', { role: 'marketer', name: 'spare' }),
  );
  const hook = await json<{ id: string }>(
    server.call(server.adminToken, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/fuzz' }),
  );
  draftJourney = { ...pricing, id: 'fuzz-draft', trigger: { event: 'Draft Visit' } }; // published by the fuzz: not on /pricing
  const teamNow = await json<unknown>(server.call(server.adminToken, 'GET', '/api/team'));
  Object.assign(credentials, {
    admin: `Bearer ${server.adminToken}`,
    marketer: `Bearer ${await server.token('marketer')}`,
    rep: `Bearer ${await server.token('rep', 'ana')}`,
    writeKey: basic(server.config.data.writeKey),
  });
  Object.assign(ids, {
    // Changes go to the draft and the hostile journeys; pricing-intent, which makes the handoffs, is only read.
    '/api/journeys/{id}': ['fuzz-draft', '__proto__', 'constructor'],
    'get /api/journeys/{id}': ['pricing-intent', 'fuzz-draft', '__proto__', 'constructor'],
    '{version}': ['1', '2'],
    '/api/team/reps/{id}': ['ana', 'bo', 'constructor', '__proto__'],
    '/api/tokens/{id}': [spare.id],
    '/api/webhooks/{id}': [hook.id],
    '/api/webhooks/dead-letters/{id}': ['dl_1'],
  });
  const track = {
    userId: 'fuzz-lead',
    messageId: 'm-1',
    event: 'Feature Used',
    properties: { feature: 'reports' },
    timestamp: '2026-01-01T00:00:00Z',
    context: { ip: '127.0.0.1' },
  };
  examples = {
    TrackEvent: [track, { userId: '__proto__', event: '__proto__', properties: { path: '/pricing' } }],
    IdentifyEvent: [
      { userId: 'fuzz-lead', traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' } },
    ],
    ViewCall: [{ userId: 'fuzz-lead', name: 'Pricing', category: 'Docs', properties: { path: '/pricing' } }],
    UnusedCall: [{ userId: 'fuzz-lead', groupId: 'g1', traits: { name: 'Acme' } }],
    Batch: [
      {
        batch: [
          { ...track, type: 'track' },
          { type: 'identify', userId: 'fuzz-b', traits: { plan: 'trial' } },
          { type: 'page', userId: 'fuzz-b', name: 'Home' },
        ],
      },
    ],
    Journey: [draftJourney],
    Team: [teamNow],
    SimulationRequest: [
      { journeys: ['pricing-intent', { ...pricing, id: 'fuzz-sim' }], contacts: 3, days: 2, seed: 7 },
      { journeys: ['__proto__'], contacts: 3, days: 2 },
    ],
    TokenRequest: [{ role: 'rep', rep: 'ana', name: 'fuzz' }],
    WebhookRequest: [{ url: 'http://127.0.0.1:9/fuzz', events: ['Handoff Created'] }],
    'patch /api/team/reps/{id}': [{ active: true, capacity: 25 }],
    'patch /api/webhooks/{id}': [{ enabled: true }],
    'post /api/journeys/{id}/validate': [draftJourney],
    'post /api/handoffs/{id}/accept': [{ rep: 'ana' }],
    'post /api/handoffs/{id}/reject': [{ rep: 'ana', reason: 'busy' }],
    'post /api/handoffs/{id}/outcome': [{ outcome: 'meeting_booked', value: 100 }],
    'post /api/handoffs/{id}/reassign': [{ rep: 'bo' }],
    'post /api/handoffs/{id}/claim': [{}],
  };
});

/**
 * Each operation starts from the same kind of state, whatever the earlier ones did: a draft journey, and a
 * new lead with an open handoff (an earlier operation may have closed the last one), which the inbound
 * webhook's valid body names.
 */
async function freshState(): Promise<void> {
  const draft = await server.call(server.adminToken, 'PUT', '/api/journeys/fuzz-draft/draft', draftJourney);
  if (draft.status === 404)
    expect((await server.call(server.adminToken, 'POST', '/api/journeys', draftJourney)).status).toBe(201);
  else expect(draft.status).toBe(200);
  const lead = await pricingLead(server, `fuzz-lead-${++leads}`);
  ids['/api/handoffs/{id}'] = [lead.id];
  ids['/api/contacts/{id}'] = [lead.contactId, 'fuzz-hostile'];
  examples.InboundWebhook = [
    {
      type: 'handoff.outcome',
      data: { handoff: lead.id, outcome: 'meeting_booked', value: 100, rep: lead.assignee ?? 'ana' },
    },
  ];
}

afterAll(async () => {
  await server?.close();
});

// ---------- one generated request ----------

type AuthKind =
  | 'none'
  | 'admin'
  | 'marketer'
  | 'rep'
  | 'writeKey'
  | 'signed'
  | 'nonAsciiBearer'
  | 'nonAsciiBasic'
  | 'garbage'
  | 'badBasic'
  | 'bearerOnly'
  | 'staleSignature';

interface Generated {
  params: string[];
  query: [string, string][];
  auth: AuthKind;
  garbage: string;
  contentType: string | null;
  contentLength: string | null;
  body:
    | { kind: 'none' }
    | { kind: 'odd'; name: string }
    | { kind: 'json'; value: unknown }
    | { kind: 'mutation'; m: Mutation };
}

const authFor = (op: Op): fc.Arbitrary<AuthKind> => {
  const valid: AuthKind[] =
    op.auth === 'writeKey'
      ? ['writeKey']
      : op.auth === 'signature'
        ? ['signed']
        : op.auth === 'none'
          ? ['none']
          : op.auth;
  const invalid: AuthKind[] = [
    'none',
    'admin',
    'marketer',
    'rep',
    'writeKey',
    'signed',
    'nonAsciiBearer',
    'nonAsciiBasic',
    'garbage',
    'badBasic',
    'bearerOnly',
    'staleSignature',
  ];
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid) },
    { weight: 2, arbitrary: fc.constantFrom(...invalid) },
  );
};

const paramFor = (op: Op, name: string) => {
  const prefix = op.path.slice(0, op.path.indexOf(`{${name}}`) + name.length + 2);
  const known = name === 'version' ? ids['{version}']! : (ids[`${op.method} ${prefix}`] ?? ids[prefix] ?? []);
  return fc.oneof(
    { weight: known.length > 0 ? 5 : 0, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('x') },
    { weight: 3, arbitrary: nasty.map(encode) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW) },
  );
};

const requestFor = (op: Op): fc.Arbitrary<Generated> => {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const queryKey = fc.oneof(
    fc.constantFrom(...op.query, '__proto__', 'constructor', 'access_token', 'format', 'toString', 'journey'),
    nasty,
  );
  const queryValue = fc.oneof(
    fc.constantFrom('csv', 'open', 'true', 'meeting_booked', '2026-01-01T00:00:00Z', 'pricing-intent', 'ana'),
    nasty,
  );
  const bodies: fc.WeightedArbitrary<Generated['body']>[] = [
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...Object.keys(ODD_BODIES)).map((name) => ({ kind: 'odd' as const, name })),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json' as const, value })) },
  ];
  if (examplesOf(op) !== undefined)
    bodies.push({ weight: 6, arbitrary: mutation.map((m) => ({ kind: 'mutation' as const, m })) });
  return fc.record({
    params: fc.tuple(...names.map((n) => paramFor(op, n))),
    query: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }),
    auth: authFor(op),
    garbage: fc.string({
      unit: fc
        .integer({ min: 0x21, max: 0xff })
        .filter((c) => c !== 0x7f)
        .map((c) => String.fromCharCode(c)),
      maxLength: 60,
    }),
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'application/json',
      'application/json',
      null,
      'text/plain',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
    ),
    contentLength: fc.constantFrom(null, null, null, null, null, null, '0', '-1', 'abc', '99999999999999999999'),
    body: op.method === 'get' ? fc.constant({ kind: 'none' as const }) : fc.oneof(...bodies),
  });
};

interface Built {
  url: string;
  init: RequestInit;
  text: string | undefined;
  auth: AuthKind;
}

function build(op: Op, g: Generated): Built {
  let i = 0;
  const path = op.path.replace(/\{\w+\}/g, () => g.params[i++]!);
  const rawQuery = g.query.map(([k, v], n) =>
    n % 4 === 3 ? `${k.replace(/[#&=\s]/g, '')}=${RAW[v.length % RAW.length]}` : `${encode(k)}=${encode(v)}`,
  );
  const url = `${path}${rawQuery.length > 0 ? `?${rawQuery.join('&')}` : ''}`;
  const text =
    g.body.kind === 'none'
      ? undefined
      : g.body.kind === 'odd'
        ? ODD_BODIES[g.body.name]
        : g.body.kind === 'json'
          ? JSON.stringify(g.body.value)
          : (JSON.stringify(mutate(examplesOf(op)![g.body.m.example % examplesOf(op)!.length], g.body.m)) ?? 'null');
  const headers: Record<string, string> = {};
  if (g.contentType) headers['content-type'] = g.contentType;
  if (g.contentLength) headers['content-length'] = g.contentLength;
  const admin = server.adminToken;
  const auth = {
    none: null,
    admin: credentials.admin,
    marketer: credentials.marketer,
    rep: credentials.rep,
    writeKey: credentials.writeKey,
    nonAsciiBearer: `Bearer ${sameLengthNonAscii(admin)}`,
    nonAsciiBasic: basic(sameLengthNonAscii(server.config.data.writeKey)),
    garbage: `Bearer ${g.garbage}`,
    badBasic: `Basic ${g.garbage}`,
    bearerOnly: 'Bearer',
    signed: null,
    staleSignature: null,
  }[g.auth];
  if (auth) headers.authorization = auth;
  if (g.auth === 'signed' || g.auth === 'staleSignature') {
    const secret = Buffer.from(server.config.data.inboundSecret.replace(/^whsec_/, ''), 'base64');
    const id = `msg_fuzz_${++webhookIds}`;
    const ts = Math.floor(Date.now() / 1000) - (g.auth === 'staleSignature' ? 3600 : 0);
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = String(ts);
    headers['webhook-signature'] = `v1,${createHmac('sha256', secret)
      .update(`${id}.${ts}.${text ?? ''}`)
      .digest('base64')}`;
  }
  return {
    url,
    init: { method: op.method.toUpperCase(), headers, ...(text === undefined ? {} : { body: text }) },
    text,
    auth: g.auth,
  };
}

const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
const describeCall = (b: Built) =>
  `${b.init.method} ${short(b.url)} auth=${b.auth} headers=${short(JSON.stringify(b.init.headers), 300)} body=${b.text === undefined ? 'none' : short(b.text)}`;

/** A stack frame or a path of the server's own files in a response. */
const LEAK = [
  /(\\n|\n)\s*at \S+.*:\d+:\d+/,
  new RegExp(ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  /node_modules/,
  /\.ts:\d+:\d+/,
];

async function call(b: Built): Promise<{ status: number; text: string }> {
  return within(
    CALL_MS,
    describeCall(b),
    (async () => {
      const res = await server.app.request(b.url, b.init);
      // The live stream never ends: its headers are the answer.
      if (res.headers.get('content-type')?.includes('text/event-stream')) {
        await res.body?.cancel();
        return { status: res.status, text: '' };
      }
      return { status: res.status, text: await res.text() };
    })(),
  );
}

describe('the API under generated requests', () => {
  for (const op of OPS) {
    it(`${op.method.toUpperCase()} ${op.path}: no 5xx, no stack trace, no hang, no prototype pollution`, async () => {
      await freshState();
      const arb = requestFor(op).map((g) => {
        const b = build(op, g);
        return Object.assign(b, { [fc.toStringMethod]: () => describeCall(b) });
      });
      await fc.assert(
        fc.asyncProperty(arb, async (b) => {
          const before = protoOwn();
          let answer: { status: number; text: string } | Error;
          try {
            answer = await call(b);
          } catch (err) {
            answer = err as Error; // a hang, or an error that escaped the app's error handler
          }
          const polluted = protoChanges(before);
          if (polluted.length > 0)
            throw new Error(
              `prototype pollution: ${polluted.join('; ')}${answer instanceof Error ? ` (and the call failed: ${answer.message})` : ''}`,
            );
          if (answer instanceof Error) throw answer;
          const { status, text } = answer;
          if (status >= 500) throw new Error(`answered ${status}: ${short(text, 400)}`);
          const leak = LEAK.find((re) => re.test(text));
          if (leak) throw new Error(`the answer shows server internals (${leak}): ${short(text, 600)}`);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }, 60_000);
  }

  it('leaves Object.prototype as it was, and a normal track call still answers 200', async () => {
    expect(protoChanges(protoBefore)).toEqual([]);
    expect(Object.getOwnPropertyNames(Array.prototype)).toEqual(arrayBefore);
    const probe = {} as Record<string, unknown>;
    for (const key of ['polluted', 'isAdmin', 'x', 'journeys', 'handoffs', 'pricing-intent'])
      expect(probe[key]).toBeUndefined();
    expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
    const r = await server.ingest('track', {
      userId: 'fuzz-after',
      event: 'Page Viewed',
      properties: { path: '/docs' },
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ success: true, status: 'applied' });
  });
});
