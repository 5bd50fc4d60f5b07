import { describe, expect, it } from 'vitest';
import { simulateSynthetic } from '@baton/engine/internal';
import { json, pricingLead, testServer, welcome } from './harness.ts';

type Summary = { id: string; status: string; version: number | null; draft: { valid: boolean } | null };
type ErrorBody = {
  error: { code: string; message: string; errors?: { path: string; node: string | null; message: string }[] };
};

/** The contact's run of the welcome journey, if it entered. */
const run = async (
  server: {
    store: {
      load(
        id: string,
      ): Promise<{ instances: { journeyId: string; version: number; node: string | null }[] } | undefined>;
    };
  },
  id: string,
) => (await server.store.load(id))?.instances.find((i) => i.journeyId === 'welcome');

describe('journeys over the API: draft, validate, publish, archive', () => {
  it('keeps an invalid draft, refuses to publish it with every error, and publishes it once fixed', async () => {
    const server = await testServer();
    const marketer = await server.token('marketer');
    const broken = {
      ...welcome('Hi'),
      nodes: [{ id: 'hello', type: 'action', action: 'email', params: {}, next: 'nowhere' }],
    };
    const created = await server.call(marketer, 'POST', '/api/journeys', broken);
    expect(created.status).toBe(201);
    const body = await json<Summary & { validation: { valid: boolean; errors: { node: string }[] } }>(created);
    expect(body).toMatchObject({ id: 'welcome', status: 'draft', version: null, draft: { valid: false } });
    expect(body.validation.errors.map((e) => e.node)).toContain('hello');

    const refused = await server.call(marketer, 'POST', '/api/journeys/welcome/publish');
    expect(refused.status).toBe(422);
    const error = await json<ErrorBody>(refused);
    expect(error.error.code).toBe('journey_invalid');
    expect(error.error.errors!.some((e) => e.path.startsWith('$.nodes[0]'))).toBe(true);
    expect(server.runtime.catalog.live().some((j) => j.compiled.journey.id === 'welcome')).toBe(false);

    expect((await server.call(marketer, 'POST', '/api/journeys', welcome('again'))).status).toBe(409);
    expect((await server.call(marketer, 'PUT', '/api/journeys/welcome/draft', welcome('Hi'))).status).toBe(200);
    expect(await json<{ valid: boolean }>(server.call(marketer, 'POST', '/api/journeys/welcome/validate'))).toEqual({
      valid: true,
      errors: [],
    });
    const published = await json<{ version: number }>(server.call(marketer, 'POST', '/api/journeys/welcome/publish'));
    expect(published.version).toBe(1);
    expect(await json<Summary>(server.call(marketer, 'GET', '/api/journeys/welcome'))).toMatchObject({
      status: 'published',
      version: 1,
      draft: null,
    });

    // The live journey takes new contacts at once.
    await server.ingest('track', { userId: 'w1', event: 'Signed Up' });
    expect(await run(server, 'w1')).toMatchObject({ journeyId: 'welcome', version: 1, node: 'wait' });
    await server.close();
  });

  it('pins contacts to the version they started, survives a restart, and stops new entries once archived', async () => {
    const server = await testServer();
    const { adminToken } = server;
    await server.call(adminToken, 'POST', '/api/journeys', welcome('v1'));
    await server.call(adminToken, 'POST', '/api/journeys/welcome/publish');
    await server.ingest('track', { userId: 'early', event: 'Signed Up' });
    await server.call(adminToken, 'PUT', '/api/journeys/welcome/draft', welcome('v2'));
    expect(
      (await json<{ version: number }>(server.call(adminToken, 'POST', '/api/journeys/welcome/publish'))).version,
    ).toBe(2);
    await server.ingest('track', { userId: 'late', event: 'Signed Up' });
    expect((await run(server, 'early'))!.version).toBe(1);
    expect((await run(server, 'late'))!.version).toBe(2);
    const v1 = await json<{ definition: { nodes: { params?: { subject: string } }[] } }>(
      server.call(adminToken, 'GET', '/api/journeys/welcome/versions/1'),
    );
    expect(v1.definition.nodes[0]!.params!.subject).toBe('v1');

    expect((await server.call(adminToken, 'POST', '/api/journeys/welcome/archive')).status).toBe(200);
    await server.ingest('track', { userId: 'after', event: 'Signed Up' });
    expect(await run(server, 'after')).toBeUndefined();
    await server.close();

    // After a restart: the same versions, still archived, the early contact still on version 1.
    const again = await testServer({ data: server.data });
    expect(
      await json<Summary & { versions: unknown[] }>(again.call(again.adminToken, 'GET', '/api/journeys/welcome')),
    ).toMatchObject({ status: 'archived', version: 2, versions: [{ version: 1 }, { version: 2 }] });
    await again.ingest('track', { userId: 'after-restart', event: 'Signed Up' });
    expect(await run(again, 'after-restart')).toBeUndefined();
    expect((await run(again, 'early'))!.version).toBe(1);
    await again.close();
  });
});

describe('the team over the API', () => {
  it('refuses a team that would break a live journey, naming the journey and the path, and changes nothing', async () => {
    const server = await testServer();
    const team = structuredClone(server.config.data.team);
    team.queues = team.queues.filter((q) => q.id !== 'emea-ae');
    const res = await server.call(server.adminToken, 'PUT', '/api/team', team);
    expect(res.status).toBe(400);
    const body = await json<ErrorBody>(res);
    expect(
      body.error.errors!.some((e) => e.message.includes('journey pricing-intent') && e.message.includes('emea-ae')),
    ).toBe(true);
    expect(server.config.data.team.queues.some((q) => q.id === 'emea-ae')).toBe(true);
    const malformed = await server.call(server.adminToken, 'PUT', '/api/team', { reps: [{ id: 'x', capacity: -1 }] });
    expect(malformed.status).toBe(400);
    expect((await json<ErrorBody>(malformed)).error.errors!.map((e) => e.path)).toContain('$.reps[0].capacity');
    await server.close();
  });

  it('adds a rep whom a journey can then route to', async () => {
    const server = await testServer();
    const team = structuredClone(server.config.data.team);
    team.reps.push({ id: 'dee', name: 'Dee Diaz', team: 'sales', calendar: 'berlin', active: true, weight: 1 });
    expect((await server.call(server.adminToken, 'PUT', '/api/team', team)).status).toBe(200);
    const h = await pricingLead(server, 'owned', { ownerId: 'dee' });
    expect(h.assignee).toBe('dee');
    await server.close();
  });
});

describe('reports', () => {
  it('counts handoffs, accepts, rejections, time to first touch, outcomes, conversion and revenue per journey, node, queue, rep and day', async () => {
    let now = Date.parse('2026-11-23T09:00:00Z'); // a Monday, inside Berlin hours
    const server = await testServer({ clock: { now: () => now } });
    const a = await pricingLead(server, 'r1');
    const b = await pricingLead(server, 'r2');
    // b's first rep turns it down: it goes to another, and the report counts the rejection.
    const rejecter = b.assignee!;
    expect(
      (await server.call(server.adminToken, 'POST', `/api/handoffs/${b.id}/reject`, { reason: 'busy' })).status,
    ).toBe(200);
    const holder = (await server.store.load('r2'))!.handoffs.find((h) => h.id === b.id)!.assignee!;
    expect(holder).not.toBe(rejecter);
    now += 30 * 60_000;
    await server.call(server.adminToken, 'POST', `/api/handoffs/${a.id}/accept`);
    now += 30 * 60_000;
    await server.call(server.adminToken, 'POST', `/api/handoffs/${a.id}/outcome`, {
      outcome: 'meeting_booked',
      value: 30_000,
    });
    await server.call(server.adminToken, 'POST', `/api/handoffs/${b.id}/accept`);
    await server.call(server.adminToken, 'POST', `/api/handoffs/${b.id}/outcome`, { outcome: 'not_interested' });
    const report = await json<{
      total: Record<string, unknown>;
      days: Record<string, { handoffs: number; accepted: number; breached: number; rejected: number }>;
      nodes: Record<string, unknown>;
      reps: Record<string, { handoffs: number; rejected: number }>;
      flow: Record<string, Record<string, { entered: number; converted: number }>>;
    }>(server.call(server.adminToken, 'GET', '/api/reports?journey=pricing-intent'));
    expect(report.total).toEqual({
      handoffs: 2,
      open: 0,
      accepted: 2,
      acceptRate: 1,
      timeToFirstTouch: { p50: 1800, p90: 3600 },
      breached: 0,
      breachRate: 0,
      rejected: 1,
      outcomes: { meeting_booked: 1, not_interested: 1 },
      converted: 1,
      conversionRate: 0.5,
      revenue: 30_000,
    });
    // The trend: per UTC day the handoffs were created.
    expect(Object.keys(report.days)).toEqual(['2026-11-23']);
    expect(report.days['2026-11-23']).toMatchObject({ handoffs: 2, accepted: 2, breached: 0, rejected: 1 });
    expect(Object.keys(report.nodes)).toEqual(['pricing-intent/handoff']);
    expect(Object.values(report.reps).reduce((n, r) => n + r.handoffs, 0)).toBe(2);
    // A rejection counts against the rep who rejected, not the rep who then took the handoff.
    expect(report.reps[rejecter]!.rejected).toBe(1);
    expect(report.reps[holder]!.rejected).toBe(0);
    expect(report.flow['pricing-intent']!.handoff!.entered).toBe(2);
    // Conversion by step: of the two runs through the handoff, the one whose meeting was booked converted.
    expect(report.flow['pricing-intent']!.handoff!.converted).toBe(1);
    expect(report.flow['pricing-intent']!.fit!.converted).toBe(1);
    // Scoped to another journey, every part of the report leaves pricing-intent's handoffs out.
    const other = await json<{ total: { handoffs: number }; reps: object; queues: object; flow: object }>(
      server.call(server.adminToken, 'GET', '/api/reports?journey=renewal-risk'),
    );
    expect(other.total.handoffs).toBe(0);
    expect(other).toMatchObject({ reps: {}, queues: {} });
    expect(other.flow).not.toHaveProperty('pricing-intent');
    const later = await json<{ total: { handoffs: number } }>(
      server.call(server.adminToken, 'GET', '/api/reports?from=2026-11-24T00:00:00Z'),
    );
    expect(later.total.handoffs).toBe(0);
    expect((await server.call(server.adminToken, 'GET', '/api/reports?from=yesterday')).status).toBe(400);
    const csv = await (await server.call(server.adminToken, 'GET', '/api/reports?format=csv')).text();
    expect(csv.split('\n')[0]).toMatch(/^group,key,handoffs,/);
    expect(csv).toContain(
      'journey,pricing-intent,2,0,2,1,1800,3600,0,0,1,0.5,30000,meeting_booked=1 not_interested=1,1',
    );
    expect(csv).toContain('day,2026-11-23,2,0,2,1,1800,3600,0,0,1,0.5,30000,meeting_booked=1 not_interested=1,1');
    await server.close();
  });
});

describe('simulations over the API', () => {
  it('runs a script against a draft and returns the §8 report, touching no live data', async () => {
    const server = await testServer();
    const script = {
      start: '2026-11-20T08:00:00Z',
      until: '2026-11-23T00:00:00Z',
      contacts: [{ id: 's1', traits: {} }],
      steps: [{ at: '2026-11-20T10:00:00Z', track: { userId: 's1', event: 'Signed Up' } }],
    };
    await server.call(server.adminToken, 'POST', '/api/journeys', welcome('Hi'));
    const report = await json<{
      contacts: Record<string, { journeys: Record<string, { status: string; path: string[] }> }>;
    }>(server.call(server.adminToken, 'POST', '/api/simulations', { journeys: ['welcome'], script }));
    expect(report.contacts.s1!.journeys.welcome).toMatchObject({ status: 'exited', path: ['hello', 'wait', 'done'] });
    expect(await server.store.load('s1')).toBeUndefined();
    const bad = await server.call(server.adminToken, 'POST', '/api/simulations', { journeys: ['welcome'] });
    expect(bad.status).toBe(400);
    expect(
      (await server.call(server.adminToken, 'POST', '/api/simulations', { journeys: ['nope'], contacts: 3 })).status,
    ).toBe(404);
    const synthetic = await json<{ nodes: Record<string, Record<string, { entered: number }>> }>(
      server.call(server.adminToken, 'POST', '/api/simulations', {
        journeys: ['welcome'],
        contacts: 20,
        population: { events: { 'Signed Up': { perWeek: 0 } } },
      }),
    );
    expect(synthetic.nodes.welcome ?? {}).toEqual({}); // nobody signs up, so nobody enters
    const badPopulation = await server.call(server.adminToken, 'POST', '/api/simulations', {
      journeys: ['welcome'],
      contacts: 2,
      population: { traits: { plan: { oneOf: [] } } },
    });
    expect(badPopulation.status).toBe(400);
    expect(JSON.stringify(await badPopulation.json())).toContain('$.traits.plan.oneOf');
    await server.close();
  });

  it("runs a population in a worker thread: the server answers meanwhile, and the report is the engine's", async () => {
    const server = await testServer();
    await server.call(server.adminToken, 'POST', '/api/journeys', welcome('Hi'));
    let done = false;
    const simulation = Promise.resolve(
      server.call(server.adminToken, 'POST', '/api/simulations', { journeys: ['welcome'], contacts: 30_000, seed: 5 }),
    ).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    // On the server's own thread the population held every request until it was over.
    expect((await server.call(null, 'GET', '/healthz')).status).toBe(200);
    expect(done).toBe(false);
    const answer = await simulation;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    const expected = await simulateSynthetic({
      journeys: [welcome('Hi')],
      team: server.config.data.team,
      workspace: server.config.data.workspace,
      contacts: 30_000,
      seed: 5,
    });
    expect(await answer.text()).toBe(JSON.stringify(expected));
    await server.close();
  });
});
