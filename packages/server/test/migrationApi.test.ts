import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, moveContact, publishedTarget } from '@baton/engine/internal';
import { json, testServer } from './harness.ts';

type ErrorBody = { error: { code: string; errors?: { path: string; message: string }[] } };
type Plan = {
  journey: string;
  version: number;
  moves: { fromVersion: number; from: string; to: string; contacts: number }[];
  blocked: { contactId: string; from: string; to: string; reason: string }[];
};

const welcome = (waitNode: Record<string, unknown>) => ({
  schema: 'baton.journey/v1',
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'Welcome Started' },
  start: 'wait',
  nodes: [
    { id: 'wait', next: 'done', ...waitNode },
    { id: 'done', type: 'exit', outcome: 'welcomed' },
  ],
});
const v1 = welcome({ type: 'wait', duration: 'P1D' });
const v2 = welcome({ type: 'wait', duration: 'P3D' });
const asPause = welcome({ type: 'pause', until: { event: 'Replied' } });

const T0 = Date.parse('2026-11-23T09:00:00Z');

/** A server with welcome v1 live, two contacts waiting in it, and v2 saved as the draft. */
async function withWaitingContacts() {
  let now = T0;
  const server = await testServer({ clock: { now: () => now } });
  await server.call(server.adminToken, 'POST', '/api/journeys', v1);
  await server.call(server.adminToken, 'POST', '/api/journeys/welcome/publish');
  for (const userId of ['a', 'b']) await server.ingest('track', { userId, event: 'Welcome Started' });
  now += 3_600_000;
  await server.call(server.adminToken, 'PUT', '/api/journeys/welcome/draft', v2);
  return { server, later: (ms: number) => (now += ms) };
}

const instance = async (server: Awaited<ReturnType<typeof testServer>>, id: string) =>
  (await server.store.load(id))!.instances.find((i) => i.journeyId === 'welcome')!;

describe('migrating a live journey over the API (SPEC §10)', () => {
  it('plans without changing anything, refuses a bad map by path, and publishing with the map moves the waiting contacts', async () => {
    const { server } = await withWaitingContacts();
    const marketer = await server.token('marketer');
    const plan = await server.call(marketer, 'POST', '/api/journeys/welcome/migration-plan', { migrate: {} });
    expect(plan.status).toBe(200);
    expect(await json<Plan>(plan)).toEqual({
      journey: 'welcome',
      version: 2,
      moves: [{ fromVersion: 1, from: 'wait', to: 'wait', contacts: 2 }],
      blocked: [],
      unmapped: [],
    });
    // The journey in the body instead of the draft: a wait onto a pause cannot move, and the plan says why.
    const blocked = await json<Plan>(
      server.call(marketer, 'POST', '/api/journeys/welcome/migration-plan', { journey: asPause }),
    );
    expect(blocked.moves).toEqual([]);
    expect(blocked.blocked.map((b) => [b.contactId, b.reason])).toEqual([
      ['a', 'wait is a wait node and wait a pause node: a contact moves only between nodes of the same type'],
      ['b', 'wait is a wait node and wait a pause node: a contact moves only between nodes of the same type'],
    ]);
    expect((await instance(server, 'a')).version).toBe(1);

    const bad = await server.call(
      marketer,
      'POST',
      '/api/journeys/welcome/publish',
      '{ "migrate": { "__proto__": "wait", "wait": "gone" } }',
    );
    expect(bad.status).toBe(400);
    expect((await json<ErrorBody>(bad)).error.errors!.map((e) => e.path)).toEqual([
      '$.migrate.__proto__',
      '$.migrate.wait',
    ]);
    expect(server.runtime.catalog.latestVersion('welcome')).toBe(1);
    expect(server.config.draft('welcome')).toBeDefined();
    expect(
      (await server.call(marketer, 'POST', '/api/journeys/welcome/migration-plan', { migrate: { wait: 7 } })).status,
    ).toBe(400);
    expect((await server.call(marketer, 'POST', '/api/journeys/elsewhere/migration-plan')).status).toBe(404);

    const published = await server.call(marketer, 'POST', '/api/journeys/welcome/publish', { migrate: {} });
    expect(published.status).toBe(201);
    expect(await json<{ version: number; migration: { moved: number } }>(published)).toMatchObject({
      version: 2,
      migration: { moved: 2, moves: [{ from: 'wait', to: 'wait', contacts: 2 }] },
    });
    // Moved onto v2, its wait re-timed from the instant it entered (T0 + P3D).
    const state = (await server.store.load('a'))!;
    expect(await instance(server, 'a')).toMatchObject({ version: 2, node: 'wait' });
    expect(state.timers.filter((t) => t.journeyId === 'welcome').map((t) => t.dueAt)).toEqual([T0 + 3 * 86_400_000]);
    const contact = await json<{ timeline: { name: string; properties: Record<string, unknown> }[] }>(
      server.call(server.adminToken, 'GET', '/api/contacts/a'),
    );
    expect(contact.timeline.filter((e) => e.name === 'Journey Migrated').map((e) => e.properties)).toEqual([
      { journey: 'welcome', fromVersion: 1, toVersion: 2, fromNode: 'wait', toNode: 'wait' },
    ]);
    expect(server.config.data.migrations).toEqual([]);
    await server.close();
  });

  it('publishes without migrating when no map is sent', async () => {
    const { server } = await withWaitingContacts();
    expect(
      await json<{ version: number; migration?: unknown }>(
        server.call(server.adminToken, 'POST', '/api/journeys/welcome/publish'),
      ),
    ).not.toHaveProperty('migration');
    expect((await instance(server, 'a')).version).toBe(1);
    await server.close();
  });

  it('resumes a migration a crash cut short at start, moving nobody twice', async () => {
    const { server } = await withWaitingContacts();
    // The crash: v2 published with its migration recorded, and only contact a moved.
    await server.call(server.adminToken, 'POST', '/api/journeys/welcome/publish');
    await server.runtime.change(
      'a',
      moveContact(server.runtime.catalog, publishedTarget(server.runtime.catalog, 'welcome', {})),
    );
    await server.close();
    const file = join(server.data, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { migrations?: unknown[] };
    config.migrations = [{ journey: 'welcome', version: 2, migrate: {} }];
    writeFileSync(file, JSON.stringify(config));

    const again = await testServer({ data: server.data, clock: { now: () => T0 + 7_200_000 } });
    for (const id of ['a', 'b']) {
      const state = (await again.store.load(id))!;
      expect((await instance(again, id)).version).toBe(2);
      expect(eventsOf(state.contact).filter((e) => e.name === 'Journey Migrated')).toHaveLength(1);
    }
    expect(again.config.data.migrations).toEqual([]);
    await again.close();
  });
});
