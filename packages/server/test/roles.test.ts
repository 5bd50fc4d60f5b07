import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/app/openapi.ts';
import { json, pricingLead, testServer } from './harness.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
type Who = 'admin' | 'marketer' | 'ana' | 'bo' | 'nobody';

let server: Server;
let tokens: Record<Who, string | null>;
let handoffId: string;

beforeAll(async () => {
  server = await testServer();
  tokens = {
    admin: server.adminToken,
    marketer: await server.token('marketer'),
    ana: await server.token('rep', 'ana'),
    bo: await server.token('rep', 'bo'),
    nobody: null,
  };
  handoffId = (await pricingLead(server, 'c2')).id;
});
afterAll(() => server.close());

const draft = (id: string) => ({
  schema: 'baton.journey/v1',
  id,
  name: id,
  trigger: { event: 'Signed Up' },
  start: 'done',
  nodes: [{ id: 'done', type: 'exit', outcome: 'done' }],
});

/** Placeholders a row's path may use, filled in by its setup. */
const vars: Record<string, string> = { rep: 'cy', contact: 'c2' };
let leads = 0;
/** A fresh lead owned by ana (owner routing), so a row acts on a handoff of its own. */
const anasLead = async () => {
  vars.h2 = (await pricingLead(server, `lead-${++leads}`, { ownerId: 'ana' })).id;
};

// Every /api route with what each caller gets, called in the order the keys are listed. A refused call
// changes nothing; the rows after it show that (a 200 or a 409 that follows from the state).
const MATRIX: {
  method: string;
  path: string;
  setup?: () => Promise<void>;
  body?: (who: Who) => unknown;
  expect: Partial<Record<Who, number>>;
}[] = [
  { method: 'GET', path: '/api/journeys', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { method: 'GET', path: '/api/journeys/{id}', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  {
    method: 'GET',
    path: '/api/journeys/{id}/versions/{version}',
    expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 },
  },
  {
    method: 'POST',
    path: '/api/journeys',
    body: (who) => draft(`new-${who}`),
    expect: { nobody: 401, ana: 403, bo: 403, admin: 201, marketer: 201 },
  },
  {
    method: 'PUT',
    path: '/api/journeys/new-{who}/draft',
    body: (who) => draft(`new-${who}`),
    expect: { nobody: 401, ana: 403, bo: 403, admin: 200, marketer: 200 },
  },
  {
    method: 'POST',
    path: '/api/journeys/new-{who}/validate',
    expect: { nobody: 401, ana: 403, bo: 403, admin: 200, marketer: 200 },
  },
  { method: 'GET', path: '/api/events', expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  { method: 'GET', path: '/api/reps/model', expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  { method: 'GET', path: '/api/reps/loads', expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  {
    method: 'POST',
    path: '/api/journeys/new-{who}/backtest',
    body: () => ({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }),
    expect: { nobody: 401, ana: 403, bo: 403, admin: 200, marketer: 200 },
  },
  {
    method: 'POST',
    path: '/api/journeys/new-{who}/migration-plan',
    expect: { nobody: 401, ana: 403, bo: 403, admin: 200, marketer: 200 },
  },
  {
    method: 'POST',
    path: '/api/journeys/new-{who}/publish',
    expect: { nobody: 401, ana: 403, bo: 403, admin: 201, marketer: 201 },
  },
  {
    method: 'POST',
    path: '/api/journeys/new-{who}/archive',
    expect: { nobody: 401, ana: 403, bo: 403, admin: 200, marketer: 200 },
  },
  {
    method: 'DELETE',
    path: '/api/journeys/new-{who}/draft',
    setup: async () => {
      for (const who of ['admin', 'marketer'])
        await server.call(server.adminToken, 'PUT', `/api/journeys/new-${who}/draft`, draft(`new-${who}`));
    },
    expect: { nobody: 401, ana: 403, bo: 403, admin: 204, marketer: 204 },
  },
  { method: 'GET', path: '/api/team', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { method: 'GET', path: '/api/team/reps', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { method: 'GET', path: '/api/team/queues', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { method: 'GET', path: '/api/team/calendars', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  {
    method: 'PUT',
    path: '/api/team',
    body: () => server.config.data.team,
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 200 },
  },
  {
    method: 'PATCH',
    path: '/api/team/reps/{rep}',
    body: () => ({ capacity: 30 }),
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 200 },
  },
  { method: 'GET', path: '/api/me', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { method: 'GET', path: '/api/workspace', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  {
    method: 'GET',
    path: '/api/contacts/{contact}',
    expect: { admin: 200, marketer: 200, ana: 200, bo: 404, nobody: 401 },
  },
  { method: 'GET', path: '/api/handoffs', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { method: 'GET', path: '/api/handoffs/{h}', expect: { admin: 200, marketer: 200, ana: 200, bo: 404, nobody: 401 } },
  {
    method: 'POST',
    path: '/api/handoffs/{h2}/accept',
    setup: anasLead,
    expect: { nobody: 401, marketer: 403, bo: 404, ana: 200, admin: 409 },
  },
  {
    method: 'POST',
    path: '/api/handoffs/{h2}/reject',
    setup: anasLead,
    body: () => ({ reason: 'not my territory' }),
    expect: { nobody: 401, marketer: 403, bo: 404, ana: 200, admin: 200 },
  },
  {
    method: 'POST',
    path: '/api/handoffs/{h2}/outcome',
    setup: anasLead,
    body: () => ({ outcome: 'meeting_booked' }),
    expect: { nobody: 401, marketer: 403, bo: 404, ana: 200, admin: 409 },
  },
  // A handoff assigned to ana is nobody's to claim: another rep cannot see it, ana already has it.
  {
    method: 'POST',
    path: '/api/handoffs/{h2}/claim',
    setup: anasLead,
    expect: { nobody: 401, marketer: 403, admin: 403, bo: 404, ana: 409 },
  },
  {
    method: 'POST',
    path: '/api/handoffs/{h2}/reassign',
    setup: anasLead,
    body: () => ({ rep: 'bo' }),
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 200 },
  },
  { method: 'GET', path: '/api/reports', expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  {
    method: 'POST',
    path: '/api/simulations',
    body: () => ({ journeys: ['adoption-stall'], contacts: 5, seed: 1, days: 3 }),
    expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 },
  },
  { method: 'GET', path: '/api/stream', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { method: 'GET', path: '/api/tokens', expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
  {
    method: 'POST',
    path: '/api/tokens',
    body: () => ({ role: 'marketer', name: 'another' }),
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 201 },
  },
  {
    method: 'DELETE',
    path: '/api/tokens/{tok}',
    setup: async () => {
      vars.tok = (
        await json<{ id: string }>(server.call(server.adminToken, 'POST', '/api/tokens', { role: 'marketer' }))
      ).id;
    },
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 204 },
  },
  { method: 'GET', path: '/api/webhooks', expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
  {
    method: 'POST',
    path: '/api/webhooks',
    body: () => ({ url: 'http://127.0.0.1:9/hooks' }),
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 201 },
  },
  {
    method: 'PATCH',
    path: '/api/webhooks/{ep}',
    setup: async () => {
      vars.ep = (
        await json<{ id: string }>(
          server.call(server.adminToken, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hooks' }),
        )
      ).id;
    },
    body: () => ({ enabled: false }),
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 200 },
  },
  {
    method: 'DELETE',
    path: '/api/webhooks/{ep}',
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 204 },
  },
  {
    method: 'GET',
    path: '/api/webhooks/deliveries',
    expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 },
  },
  {
    method: 'GET',
    path: '/api/webhooks/inbound',
    expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 },
  },
  {
    method: 'POST',
    path: '/api/webhooks/inbound/rotate',
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 200 },
  },
  {
    method: 'POST',
    path: '/api/webhooks/dead-letters/replay',
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 200 },
  },
  {
    method: 'POST',
    path: '/api/webhooks/dead-letters/{id}/replay',
    expect: { nobody: 401, marketer: 403, ana: 403, bo: 403, admin: 404 },
  },
];

const fill = (path: string, who: Who) =>
  path
    .replace('{who}', who)
    .replace('{h}', handoffId)
    .replace('{id}', path.includes('dead-letters') ? 'msg_0' : 'pricing-intent')
    .replace('{version}', '1')
    .replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`);

describe('every route × every role', () => {
  it('covers every /api route of the API reference', () => {
    const documented = OPERATIONS.filter((op) => op.path.startsWith('/api/')).map(
      (op) => `${op.method.toUpperCase()} ${op.path}`,
    );
    const normalize = (p: string) => p.replace(/\{\w+\}/g, '{}').replace('new-{}', '{}');
    const tested = new Set(MATRIX.map((row) => `${row.method} ${normalize(row.path)}`));
    expect(documented.filter((d) => !tested.has(normalize(d)))).toEqual([]);
  });

  for (const row of MATRIX) {
    it(`${row.method} ${row.path}: ${Object.entries(row.expect)
      .map(([w, s]) => `${w} ${s}`)
      .join(', ')}`, async () => {
      await row.setup?.();
      for (const who of Object.keys(row.expect) as Who[]) {
        const res = await server.call(tokens[who], row.method, fill(row.path, who), row.body?.(who));
        expect({ who, status: res.status }).toEqual({ who, status: row.expect[who] });
        if (res.status >= 400)
          expect(((await res.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
        else await res.body?.cancel();
      }
    });
  }
});

describe('a rep works only their own handoffs', () => {
  // A server of its own: the matrix above left handoffs with ana and bo.
  beforeAll(async () => {
    await server.close();
    server = await testServer();
    tokens = {
      admin: server.adminToken,
      marketer: await server.token('marketer'),
      ana: await server.token('rep', 'ana'),
      bo: await server.token('rep', 'bo'),
      nobody: null,
    };
    handoffId = (await pricingLead(server, 'c2')).id;
  });

  it('refuses a marketer (403) and another rep (404), and a rep acting as someone else (403); the handoff is untouched', async () => {
    expect((await server.call(tokens.marketer, 'POST', `/api/handoffs/${handoffId}/accept`)).status).toBe(403);
    expect((await server.call(tokens.bo, 'POST', `/api/handoffs/${handoffId}/accept`)).status).toBe(404);
    expect((await server.call(tokens.ana, 'POST', `/api/handoffs/${handoffId}/accept`, { rep: 'bo' })).status).toBe(
      403,
    );
    expect((await server.store.load('c2'))!.handoffs[0]).toMatchObject({ acceptedAt: null, assignee: 'ana' });
    const mine = await json<{ handoffs: { id: string }[] }>(server.call(tokens.ana, 'GET', '/api/handoffs?mine=true'));
    expect(mine.handoffs.map((h) => h.id)).toEqual([handoffId]);
    expect((await json<{ handoffs: unknown[] }>(server.call(tokens.bo, 'GET', '/api/handoffs'))).handoffs).toEqual([]);
    expect((await server.call(tokens.ana, 'POST', `/api/handoffs/${handoffId}/accept`)).status).toBe(200);
    const closed = await json<{ status: string; outcome: string }>(
      server.call(tokens.ana, 'POST', `/api/handoffs/${handoffId}/outcome`, { outcome: 'meeting_booked', value: 1200 }),
    );
    expect(closed).toMatchObject({ status: 'closed', outcome: 'meeting_booked' });
  });

  it("lets a rep see and claim their queue's unassigned work, but not another queue's", async () => {
    await server.call(tokens.admin, 'PATCH', '/api/team/reps/cy', { capacity: 0 });
    // Not EMEA, no owner: the fallback queue sdr-pool, whose only member cy is full.
    const h = await pricingLead(server, 'c3', { region: 'APAC' });
    expect(h).toMatchObject({ assignee: null, queue: 'sdr-pool' });
    const cy = await server.token('rep', 'cy');
    const listed = await json<{ handoffs: { id: string }[] }>(server.call(cy, 'GET', '/api/handoffs'));
    expect(listed.handoffs.map((x) => x.id)).toEqual([h.id]);
    expect((await server.call(tokens.ana, 'POST', `/api/handoffs/${h.id}/claim`)).status).toBe(404);
    const claimed = await json<{ assignee: string; dueAt: string | null }>(
      server.call(cy, 'POST', `/api/handoffs/${h.id}/claim`),
    );
    expect(claimed.assignee).toBe('cy');
    expect(claimed.dueAt).not.toBeNull();
    expect((await server.call(cy, 'POST', `/api/handoffs/${h.id}/claim`)).status).toBe(409);
    // An admin moves it on; the trace says who did it.
    const moved = await json<{ assignee: string; trace: string[] }>(
      server.call(tokens.admin, 'POST', `/api/handoffs/${h.id}/reassign`, { rep: 'bo' }),
    );
    expect(moved.assignee).toBe('bo');
    expect(moved.trace.at(-1)).toBe('reassigned to bo by admin');
    expect((await server.call(tokens.admin, 'POST', `/api/handoffs/${h.id}/reassign`, { rep: 'zed' })).status).toBe(
      404,
    );
  });

  it('tells a token who it speaks for', async () => {
    // A rep's token also gets the rep's name in the team (an addition), for the top bar.
    expect(await json(server.call(tokens.ana, 'GET', '/api/me'))).toEqual({
      role: 'rep',
      rep: 'ana',
      repName: 'Ana Ortiz',
      name: 'ana',
    });
    expect(await json(server.call(tokens.admin, 'GET', '/api/me'))).toEqual({ role: 'admin', name: 'admin' });
  });

  it('does not take the write key as an API token, nor an API token as the write key', async () => {
    expect((await server.call(server.config.data.writeKey, 'GET', '/api/journeys')).status).toBe(401);
    const res = await server.app.request('/v1/track', {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}` },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('refuses a rep token for someone who is not in the team, and forgets a revoked token', async () => {
    const res = await server.call(tokens.admin, 'POST', '/api/tokens', { role: 'rep', rep: 'zed' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('$.rep');
    const { tokens: list } = await json<{ tokens: { id: string; name: string; token?: string }[] }>(
      server.call(tokens.admin, 'GET', '/api/tokens'),
    );
    expect(list.every((t) => t.token === undefined)).toBe(true);
    const bo = list.find((t) => t.name === 'bo')!;
    expect((await server.call(tokens.admin, 'DELETE', `/api/tokens/${bo.id}`)).status).toBe(204);
    expect((await server.call(tokens.bo, 'GET', '/api/handoffs')).status).toBe(401);
  });
});
