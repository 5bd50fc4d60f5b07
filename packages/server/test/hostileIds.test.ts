import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HandoffReport, SimulationReport } from '@baton/engine/internal';
import {
  HOSTILE,
  PROTOTYPE_NAMES,
  endOf,
  hostileJourney,
  hostileScores,
  hostileScript,
  hostileTeam,
  hostileTraits,
  outcomeFor,
} from '../../engine/test/hostileIds.ts';
import { json, testServer } from './harness.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
type Team = { calendars: Record<string, unknown>; reps: unknown[]; queues: unknown[] };
type Handoff = {
  id: string;
  contactId: string;
  journey: string;
  assignee: string | null;
  status: string;
  outcome: string | null;
};
const sorted = [...HOSTILE].sort();

/** A Standard Webhooks request, as a CRM signs one. */
function signed(secret: string, id: string, payload: unknown): RequestInit {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
  return {
    method: 'POST',
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signature}`,
      'content-type': 'application/json',
    },
  };
}

/** Object.prototype is as it was, and every request, the intake included, still answers. */
async function untouched(server: Server) {
  expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(PROTOTYPE_NAMES);
  expect(({} as { __proto__: unknown }).__proto__).toBe(Object.prototype);
  const track = await server.ingest('track', {
    userId: 'plain-visitor',
    event: 'Page Viewed',
    properties: { path: '/docs' },
  });
  expect(track.status).toBe(200);
  expect((await server.call(server.adminToken, 'GET', '/api/journeys')).status).toBe(200);
}

/**
 * A server whose team holds the hostile reps, queues and calendars next to the seeded ones, whose
 * workspace holds the hostile scores (written into config.json, as an operator would), and where a
 * marketer has published the five hostile journeys.
 */
async function hostileServer(): Promise<Server> {
  const first = await testServer();
  const base = await json<Team>(first.call(first.adminToken, 'GET', '/api/team'));
  const hostile = hostileTeam();
  const put = await first.call(first.adminToken, 'PUT', '/api/team', {
    calendars: { ...base.calendars, ...hostile.calendars },
    reps: [...base.reps, ...hostile.reps],
    queues: [...base.queues, ...hostile.queues],
  });
  expect(put.status).toBe(200);
  expect(Object.keys((await json<Team>(put)).calendars)).toEqual(expect.arrayContaining([...HOSTILE]));
  await first.close();
  const file = join(first.data, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.workspace.scores = { ...config.workspace.scores, ...hostileScores() };
  writeFileSync(file, JSON.stringify(config));

  const server = await testServer({ data: first.data });
  const marketer = await server.token('marketer');
  for (const id of HOSTILE) {
    const created = await server.call(marketer, 'POST', '/api/journeys', hostileJourney(id));
    expect(created.status).toBe(201);
    expect((await json<{ validation: unknown }>(created)).validation).toEqual({ valid: true, errors: [] });
    expect((await server.call(marketer, 'POST', `/api/journeys/${id}/publish`)).status).toBe(201);
  }
  return server;
}

describe('ids that name members of Object.prototype, through the API', () => {
  it('a journey named __proto__ with ordinary nodes leaves Object.prototype alone when reports are read, before and after a restart', async () => {
    const server = await testServer();
    const marketer = await server.token('marketer');
    const pricing = JSON.parse(
      readFileSync(new URL('../../../examples/pricing-intent/journey.json', import.meta.url), 'utf8'),
    );
    expect((await server.call(marketer, 'POST', '/api/journeys', { ...pricing, id: '__proto__' })).status).toBe(201);
    expect((await server.call(marketer, 'POST', '/api/journeys/__proto__/publish')).status).toBe(201);
    await server.ingest('identify', {
      userId: 'acme-vp',
      traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
    });
    expect(
      (await server.ingest('track', { userId: 'acme-vp', event: 'Page Viewed', properties: { path: '/pricing' } }))
        .status,
    ).toBe(200);
    const report = await server.call(marketer, 'GET', '/api/reports');
    expect(report.status).toBe(200);
    const body = await json<HandoffReport>(report);
    expect(body.journeys.__proto__).toMatchObject({ handoffs: 1 });
    expect(body.flow.__proto__).toMatchObject({ fit: { entered: 1 }, handoff: { entered: 1, current: 1 } });
    await untouched(server);
    await server.close();
    const again = await testServer({ data: server.data });
    expect(await json(again.call(marketer, 'GET', '/api/reports'))).toEqual(body);
    await untouched(again);
    await again.close();
  });

  it('publish, take events and handoffs, and show in reports and the CSV, across a restart', async () => {
    const server = await hostileServer();
    const admin = server.adminToken;
    const listed = await json<{ journeys: { id: string; status: string; draft: unknown }[] }>(
      server.call(admin, 'GET', '/api/journeys'),
    );
    for (const id of HOSTILE)
      expect(listed.journeys.find((j) => j.id === id)).toMatchObject({ status: 'published', draft: null });
    expect(await json(server.call(admin, 'GET', '/api/journeys/toString'))).toMatchObject({
      id: 'toString',
      draft: null,
      draftDefinition: null,
      version: 1,
    });
    expect(Object.keys((await json<{ scores: object }>(server.call(admin, 'GET', '/api/workspace'))).scores)).toEqual(
      expect.arrayContaining([...HOSTILE]),
    );

    for (const userId of HOSTILE) {
      expect((await server.ingest('identify', { userId, traits: hostileTraits() })).status).toBe(200);
      expect(
        (
          await server.ingest('track', {
            userId,
            event: 'Page Viewed',
            properties: Object.fromEntries([['__proto__', { x: 1 }]]),
          })
        ).status,
      ).toBe(200);
    }
    const contact = await json<{ traits: object; scores: object; journeys: unknown[] }>(
      server.call(admin, 'GET', '/api/contacts/__proto__'),
    );
    expect(Object.keys(contact.traits)).toEqual(
      expect.arrayContaining(['__proto__', 'constructor', 'toString', 'valueOf']),
    );
    expect(Object.keys(contact.scores)).toEqual(expect.arrayContaining([...HOSTILE]));
    expect(contact.journeys).toHaveLength(5);

    const open = (
      await json<{ handoffs: Handoff[] }>(server.call(admin, 'GET', '/api/handoffs?status=open'))
    ).handoffs.filter((h) => (HOSTILE as readonly string[]).includes(h.journey));
    expect(open).toHaveLength(25);
    const first = open[0]!;
    const rep = await server.token('rep', first.assignee!);
    expect((await server.call(rep, 'POST', `/api/handoffs/${first.id}/accept`, {})).status).toBe(200);
    const undeclared = await server.call(admin, 'POST', `/api/handoffs/${first.id}/outcome`, { outcome: 'valueOf' });
    expect(undeclared.status).toBe(422);
    expect((await json<{ error: { message: string } }>(undeclared)).error.message).toContain(
      'outcome "valueOf" is not one of the outcomes',
    );
    // A CRM logs the first outcome with a signed webhook whose id is __proto__; sent again, it is a replay.
    const firstOutcome = outcomeFor(HOSTILE.indexOf(first.contactId as never), HOSTILE.indexOf(first.journey as never));
    const inbound = signed(server.config.data.inboundSecret, '__proto__', {
      type: 'handoff.outcome',
      data: { handoff: first.id, outcome: firstOutcome },
    });
    expect((await server.app.request('/v1/inbound', inbound)).status).toBe(200);
    expect((await server.app.request('/v1/inbound', inbound)).status).toBe(409);
    for (const h of open.slice(1)) {
      const outcome = outcomeFor(HOSTILE.indexOf(h.contactId as never), HOSTILE.indexOf(h.journey as never));
      const closed = await server.call(admin, 'POST', `/api/handoffs/${h.id}/outcome`, { outcome });
      expect(closed.status).toBe(200);
      expect(await json(closed)).toMatchObject({ status: 'closed', outcome });
    }
    expect(
      (await server.call(admin, 'POST', `/api/handoffs/${first.id}/outcome`, { outcome: 'toString' })).status,
    ).toBe(409);

    const report = await json<HandoffReport>(server.call(admin, 'GET', '/api/reports'));
    expect(Object.keys(report.journeys)).toEqual(expect.arrayContaining([...HOSTILE]));
    for (const id of HOSTILE) {
      expect(report.journeys[id]).toMatchObject({ handoffs: 5, open: 0, converted: 2 });
      expect(Object.keys(report.journeys[id]!.outcomes).sort()).toEqual(sorted);
      expect(report.nodes[`${id}/toString`]).toMatchObject({ handoffs: 5 });
      expect(report.flow[id]).toMatchObject({
        constructor: { entered: 5 },
        toString: { entered: 5, current: 0, exited: 5 },
      });
      expect(Object.keys(report.flow[id]!)).toContain('__proto__');
    }
    const one = await json<HandoffReport>(server.call(admin, 'GET', '/api/reports?journey=__proto__'));
    expect(one.total).toMatchObject({ handoffs: 5, converted: 2 });
    expect(Object.keys(one.flow)).toEqual(['__proto__']);

    const csv = await (await server.call(admin, 'GET', '/api/reports?format=csv')).text();
    for (const id of HOSTILE) {
      expect(csv).toMatch(new RegExp(`^journey,${id},5,0,`, 'm'));
      expect(csv).toMatch(new RegExp(`^node,${id}/toString,5,0,`, 'm'));
    }
    // Outcomes by name (the report sorts them), then the rejected column.
    expect(csv).toMatch(/^journey,__proto__,.*,__proto__=1 constructor=1 hasOwnProperty=1 prototype=1 toString=1,0$/m);
    await untouched(server);

    await server.close();
    const again = await testServer({ data: server.data });
    expect(await json(again.call(admin, 'GET', '/api/reports'))).toEqual(report);
    await untouched(again);
    await again.close();
  });

  it('run in simulations by id (draft or published) and as definitions, scripted or synthetic; drafts keep their id on disk', async () => {
    const server = await hostileServer();
    const marketer = await server.token('marketer');
    const scripted = await server.call(marketer, 'POST', '/api/simulations', {
      journeys: [...HOSTILE],
      script: hostileScript(),
    });
    expect(scripted.status).toBe(200);
    const report = await json<SimulationReport>(scripted);
    expect(Object.keys(report.contacts)).toEqual(sorted);
    HOSTILE.forEach((c, i) =>
      HOSTILE.forEach((j, k) =>
        expect(report.contacts[c]!.journeys[j]).toMatchObject({
          status: 'exited',
          outcome: endOf(outcomeFor(i, k)).outcome,
        }),
      ),
    );
    expect(report.nodes.__proto__).toMatchObject({
      constructor: { entered: 5 },
      __proto__: { entered: 5 },
      toString: { entered: 5 },
    });
    expect(report.refused).toHaveLength(1);

    // A draft of the journey __proto__: kept in config.json under its id, used by simulations, and discarded.
    const draft = {
      ...hostileJourney('__proto__'),
      name: 'Draft of __proto__',
      nodes: hostileJourney('__proto__').nodes.map((n) => (n.id === 'prototype' ? { ...n, outcome: 'drafted' } : n)),
    };
    expect((await server.call(marketer, 'PUT', '/api/journeys/__proto__/draft', draft)).status).toBe(200);
    expect(readFileSync(join(server.data, 'config.json'), 'utf8')).toMatch(/"drafts":\{"__proto__":\{"definition":\{/);
    const byDraft = await json<SimulationReport>(
      server.call(marketer, 'POST', '/api/simulations', { journeys: ['__proto__'], script: hostileScript() }),
    );
    expect(byDraft.contacts.prototype!.journeys.__proto__).toMatchObject({ status: 'exited', outcome: 'drafted' });
    expect(Object.keys(byDraft.contacts.prototype!.journeys)).toEqual(['__proto__']);
    await server.close();
    const again = await testServer({ data: server.data });
    expect(await json(again.call(marketer, 'GET', '/api/journeys/__proto__'))).toMatchObject({
      name: 'Draft of __proto__',
      draftDefinition: { name: 'Draft of __proto__' },
    });
    expect((await again.call(marketer, 'DELETE', '/api/journeys/__proto__/draft')).status).toBe(204);
    expect(await json(again.call(marketer, 'GET', '/api/journeys/__proto__'))).toMatchObject({
      draft: null,
      draftDefinition: null,
    });
    expect((await again.call(marketer, 'DELETE', '/api/journeys/toString/draft')).status).toBe(404);
    expect((await again.call(marketer, 'POST', '/api/journeys/toString/publish')).status).toBe(404);

    const byDefinition = await json<SimulationReport>(
      again.call(marketer, 'POST', '/api/simulations', {
        journeys: [hostileJourney('constructor')],
        script: hostileScript(),
      }),
    );
    expect(Object.keys(byDefinition.contacts.__proto__!.journeys)).toEqual(['constructor']);
    const population = {
      traits: Object.fromEntries([
        ['toString', { oneOf: [{ value: 'fit' }] }],
        ['hasOwnProperty', { oneOf: [{ value: 'yes' }] }],
        ['__proto__', { oneOf: [{ value: 'kept' }] }],
      ]),
    };
    const synthetic = await again.call(marketer, 'POST', '/api/simulations', {
      journeys: [...HOSTILE],
      contacts: 10,
      seed: 1,
      population,
    });
    expect(synthetic.status).toBe(200);
    const grown = await json<SimulationReport>(synthetic);
    for (const id of HOSTILE)
      expect(grown.nodes[id]).toMatchObject({
        constructor: { entered: 10 },
        __proto__: { entered: 10 },
        toString: { entered: 10 },
      });
    expect(
      (await again.call(marketer, 'POST', '/api/simulations', { journeys: ['valueOf'], contacts: 1 })).status,
    ).toBe(404);
    await untouched(again);
    await again.close();
  });
});

describe('ids that name members of Object.prototype, through the CLI', () => {
  const root = new URL('../../../', import.meta.url).pathname;
  const baton = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, 'packages/server/bin/baton.mjs'), ...args], {
      cwd: root,
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const dir = mkdtempSync(join(tmpdir(), 'baton-hostile-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  const journeys = HOSTILE.map((id) => file(`${id}.json`, hostileJourney(id)));
  const team = file('team.json', hostileTeam());
  const workspace = file('workspace.json', { scores: hostileScores() });

  it('validate and compile journeys and teams full of them', async () => {
    const valid = baton('validate', journeys[0]!, '--team', team, '--json');
    expect([valid.code, JSON.parse(valid.stdout)]).toEqual([0, { valid: true, errors: [] }]);
    const unknown = baton('validate', file('bad.json', { ...hostileJourney('__proto__'), start: 'valueOf' }), '--json');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).errors).toContainEqual({
      path: '$.start',
      node: null,
      message: 'start "valueOf" is not a node of this journey',
    });

    const compiled = baton('compile', journeys[0]!);
    expect(compiled.code).toBe(0);
    const config = JSON.parse(compiled.stdout);
    expect(config).toMatchObject({ id: '__proto__', initial: '$trigger' });
    expect(Object.keys(config.states)).toEqual([
      '$trigger',
      'constructor',
      '%5F_proto__',
      'toString',
      'hasOwnProperty',
      'prototype',
    ]);
    const server = await testServer();
    await untouched(server);
    await server.close();
  });

  it('simulate journeys, teams, workspaces, scripts and populations full of them', async () => {
    const simulated = baton(
      'simulate',
      ...journeys,
      '--team',
      team,
      '--workspace',
      workspace,
      '--script',
      file('script.json', hostileScript()),
      '--json',
    );
    expect(simulated.stderr).toBe('');
    expect(simulated.code).toBe(0);
    const report = JSON.parse(simulated.stdout);
    expect(Object.keys(report.contacts)).toEqual(sorted);
    expect(report.contacts.__proto__.journeys.__proto__).toMatchObject({
      status: 'exited',
      path: ['constructor', '__proto__', 'toString', endOf(outcomeFor(0, 0)).node],
    });
    expect(report.nodes.toString.__proto__).toEqual({ entered: 5 });
    expect(report.handoffs.created).toBe(25);

    const synthetic = baton(
      'simulate',
      ...journeys,
      '--team',
      team,
      '--workspace',
      workspace,
      '--contacts',
      '10',
      '--seed',
      '4',
      '--population',
      file('population.json', {
        traits: Object.fromEntries([
          ['toString', { oneOf: [{ value: 'fit' }] }],
          ['hasOwnProperty', { oneOf: [{ value: 'yes' }] }],
        ]),
      }),
      '--json',
    );
    expect(synthetic.code).toBe(0);
    expect(JSON.parse(synthetic.stdout).nodes.__proto__.__proto__).toEqual({ entered: 10 });

    const server = await testServer();
    await untouched(server);
    await server.close();
  });
});
