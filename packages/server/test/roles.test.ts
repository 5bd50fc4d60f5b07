import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, pricingLead, testServer } from './harness.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
type Who = 'admin' | 'marketer' | 'ana' | 'bo' | 'nobody';

let server: Server;
let tokens: Record<Who, string | null>;
let handoffId: string;

beforeAll(async () => {
  server = await testServer();
  tokens = { admin: server.adminToken, marketer: await server.token('marketer'), ana: await server.token('rep', 'ana'), bo: await server.token('rep', 'bo'), nobody: null };
  handoffId = (await pricingLead(server, 'c2')).id;
});
afterAll(() => server.close());

const draft = (id: string) => ({ schema: 'baton.journey/v1', id, name: id, trigger: { event: 'Signed Up' }, start: 'done', nodes: [{ id: 'done', type: 'exit', outcome: 'done' }] });

// Each route with what every caller gets. Calls that would change something for a role that is
// refused change nothing (checked below for the handoff).
const MATRIX: { route: string; method: string; path: string; body?: (who: Who) => unknown; expect: Record<Who, number> }[] = [
  { route: 'list journeys', method: 'GET', path: '/api/journeys', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { route: 'get a journey', method: 'GET', path: '/api/journeys/pricing-intent', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { route: 'create a draft', method: 'POST', path: '/api/journeys', body: (who) => draft(`new-${who}`), expect: { admin: 201, marketer: 201, ana: 403, bo: 403, nobody: 401 } },
  { route: 'save a draft', method: 'PUT', path: '/api/journeys/new-admin/draft', body: () => draft('new-admin'), expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  { route: 'validate', method: 'POST', path: '/api/journeys/new-admin/validate', expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  { route: 'read the team', method: 'GET', path: '/api/team', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { route: 'replace the team', method: 'PUT', path: '/api/team', body: () => server.config.data.team, expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
  { route: 'change a rep', method: 'PATCH', path: '/api/team/reps/cy', body: () => ({ capacity: 30 }), expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
  { route: 'list handoffs', method: 'GET', path: '/api/handoffs', expect: { admin: 200, marketer: 200, ana: 200, bo: 200, nobody: 401 } },
  { route: "get ana's handoff", method: 'GET', path: '/api/handoffs/{h}', expect: { admin: 200, marketer: 200, ana: 200, bo: 404, nobody: 401 } },
  { route: "get ana's contact", method: 'GET', path: '/api/contacts/c2', expect: { admin: 200, marketer: 200, ana: 200, bo: 404, nobody: 401 } },
  { route: 'reports', method: 'GET', path: '/api/reports', expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  { route: 'simulations', method: 'POST', path: '/api/simulations', body: () => ({ journeys: ['adoption-stall'], contacts: 5, seed: 1, days: 3 }), expect: { admin: 200, marketer: 200, ana: 403, bo: 403, nobody: 401 } },
  { route: 'list tokens', method: 'GET', path: '/api/tokens', expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
  { route: 'list webhooks', method: 'GET', path: '/api/webhooks', expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
  { route: 'dead letters', method: 'GET', path: '/api/webhooks/deliveries', expect: { admin: 200, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
  { route: 'reassign', method: 'POST', path: '/api/handoffs/{h}/reassign', body: () => ({ rep: 'ana' }), expect: { admin: 409, marketer: 403, ana: 403, bo: 403, nobody: 401 } },
];

describe('every route × every role', () => {
  for (const row of MATRIX) {
    it(`${row.route}: ${Object.entries(row.expect).map(([w, s]) => `${w} ${s}`).join(', ')}`, async () => {
      for (const who of Object.keys(row.expect) as Who[]) {
        const res = await server.call(tokens[who], row.method, row.path.replace('{h}', handoffId), row.body?.(who));
        expect({ who, status: res.status }).toEqual({ who, status: row.expect[who] });
        if (res.status >= 400) expect(((await res.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
      }
    });
  }
});

describe('a rep works only their own handoffs', () => {
  it('refuses a marketer (403) and another rep (404), and a rep acting as someone else (403); the handoff is untouched', async () => {
    expect((await server.call(tokens.marketer, 'POST', `/api/handoffs/${handoffId}/accept`)).status).toBe(403);
    expect((await server.call(tokens.bo, 'POST', `/api/handoffs/${handoffId}/accept`)).status).toBe(404);
    expect((await server.call(tokens.ana, 'POST', `/api/handoffs/${handoffId}/accept`, { rep: 'bo' })).status).toBe(403);
    expect((await server.store.load('c2'))!.handoffs[0]).toMatchObject({ acceptedAt: null, assignee: 'ana' });
    const mine = await json<{ handoffs: { id: string }[] }>(server.call(tokens.ana, 'GET', '/api/handoffs?mine=true'));
    expect(mine.handoffs.map((h) => h.id)).toEqual([handoffId]);
    expect((await json<{ handoffs: unknown[] }>(server.call(tokens.bo, 'GET', '/api/handoffs'))).handoffs).toEqual([]);
    expect((await server.call(tokens.ana, 'POST', `/api/handoffs/${handoffId}/accept`)).status).toBe(200);
    const closed = await json<{ status: string; outcome: string }>(server.call(tokens.ana, 'POST', `/api/handoffs/${handoffId}/outcome`, { outcome: 'meeting_booked', value: 1200 }));
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
    const claimed = await json<{ assignee: string; dueAt: string | null }>(server.call(cy, 'POST', `/api/handoffs/${h.id}/claim`));
    expect(claimed.assignee).toBe('cy');
    expect(claimed.dueAt).not.toBeNull();
    expect((await server.call(cy, 'POST', `/api/handoffs/${h.id}/claim`)).status).toBe(409);
    // An admin moves it on; the trace says who did it.
    const moved = await json<{ assignee: string; trace: string[] }>(server.call(tokens.admin, 'POST', `/api/handoffs/${h.id}/reassign`, { rep: 'bo' }));
    expect(moved.assignee).toBe('bo');
    expect(moved.trace.at(-1)).toBe('reassigned to bo by admin');
    expect((await server.call(tokens.admin, 'POST', `/api/handoffs/${h.id}/reassign`, { rep: 'zed' })).status).toBe(404);
  });

  it('does not take the write key as an API token, nor an API token as the write key', async () => {
    expect((await server.call(server.config.data.writeKey, 'GET', '/api/journeys')).status).toBe(401);
    const res = await server.app.request('/v1/track', { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('refuses a rep token for someone who is not in the team, and forgets a revoked token', async () => {
    const res = await server.call(tokens.admin, 'POST', '/api/tokens', { role: 'rep', rep: 'zed' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('$.rep');
    const { tokens: list } = await json<{ tokens: { id: string; name: string; token?: string }[] }>(server.call(tokens.admin, 'GET', '/api/tokens'));
    expect(list.every((t) => t.token === undefined)).toBe(true);
    const bo = list.find((t) => t.name === 'bo')!;
    expect((await server.call(tokens.admin, 'DELETE', `/api/tokens/${bo.id}`)).status).toBe(204);
    expect((await server.call(tokens.bo, 'GET', '/api/handoffs')).status).toBe(401);
  });
});
