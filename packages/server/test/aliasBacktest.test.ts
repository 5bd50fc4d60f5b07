import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateEvents, type SimulationReport } from '@baton/engine/internal';
import { openServer, type ServerOptions } from '../src/index.ts';
import { dropSchemas, freshSchema, PG_URL } from './postgres/pg.ts';

afterAll(dropSchemas);

/** A trial whose first step asks whether the contact saw the pricing page: history an alias alone may bring. */
const TRIAL = {
  schema: 'baton.journey/v1',
  id: 'trial',
  name: 'Trial',
  trigger: { event: 'Trial Started' },
  start: 'seen',
  nodes: [
    {
      id: 'seen',
      type: 'branch',
      paths: [
        {
          label: 'Saw pricing',
          when: { event: 'Page Viewed', where: { field: 'event.properties.path', op: 'eq', value: '/pricing' } },
          next: 'hot',
        },
      ],
      otherwise: 'cold',
    },
    { id: 'hot', type: 'exit', outcome: 'hot' },
    { id: 'cold', type: 'exit', outcome: 'cold' },
  ],
};

const stores: [string, () => ServerOptions][] = [
  ['lowdb', () => ({ data: mkdtempSync(join(tmpdir(), 'baton-alias-')) })],
  ['PostgreSQL', () => ({ database: PG_URL, schema: freshSchema() })],
];

describe.each(stores)('alias calls kept for backtests (SPEC §7, §10), on %s', (_, where) => {
  it('exports an alias as a Segment alias call, and the backtest links the anonymous history through it', async () => {
    let now = Date.parse('2026-11-23T09:00:00Z');
    const server = await openServer({ ...where(), clock: { now: () => now }, tickMs: 60_000 });
    try {
      const { writeKey, adminToken } = server.config.data;
      const send = (path: string, body: unknown, token?: string) =>
        server.app.request(path, {
          method: body === undefined ? 'GET' : 'POST',
          headers: {
            authorization: token ? `Bearer ${token}` : `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
            'content-type': 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      expect((await send('/api/journeys', TRIAL, adminToken)).status).toBe(201);
      expect((await send('/api/journeys/trial/publish', {}, adminToken)).status).toBe(201);

      // A visitor reads the pricing page before signing in; only the alias says who they were.
      expect(
        (await send('/v1/page', { anonymousId: 'anon-7', name: 'Pricing', properties: { path: '/pricing' } })).status,
      ).toBe(200);
      now += 60_000;
      expect((await send('/v1/alias', { previousId: 'anon-7', userId: 'kim', messageId: 'al-1' })).status).toBe(200);
      now += 60_000;
      expect((await send('/v1/track', { userId: 'kim', event: 'Trial Started' })).status).toBe(200);
      // A malformed timestamp refuses the alias, as it would a track, and links nothing.
      const bad = await send('/v1/alias', { previousId: 'anon-8', userId: 'lee', timestamp: 'yesterday' });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('timestamp');
      const live = (await server.store.load('kim'))!.instances.find((i) => i.journeyId === 'trial')!;
      expect(live).toMatchObject({ status: 'exited', path: ['seen', 'hot'] });

      const exported = await send(
        '/api/events?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z',
        undefined,
        adminToken,
      );
      expect(exported.status).toBe(200);
      const calls = (await exported.text())
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(calls.map((c) => [c.type, c.userId ?? null, c.anonymousId ?? null, c.event ?? null])).toEqual([
        ['track', null, 'anon-7', 'Page Viewed'],
        ['alias', 'kim', null, null],
        ['track', 'kim', null, 'Trial Started'],
      ]);
      expect(calls[1]).toEqual({
        type: 'alias',
        previousId: 'anon-7',
        userId: 'kim',
        messageId: 'al-1',
        timestamp: '2026-11-23T09:01:00.000Z',
      });

      // The backtest of the published journey sees kim's pricing view only through the alias.
      const res = await send(
        '/api/journeys/trial/backtest',
        { from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z', seed: 1 },
        adminToken,
      );
      expect(res.status).toBe(200);
      const { draft } = (await res.json()) as { draft: SimulationReport };
      expect(draft.contacts.kim!.journeys.trial).toMatchObject({
        status: 'exited',
        path: ['seen', 'hot'],
        outcome: 'hot',
      });
      // The same calls without the alias send kim the other way: the result rests on the alias.
      const replay = (events: unknown[]) =>
        simulateEvents({ journeys: [TRIAL], events, seed: 1 }).then((r) => r.contacts.kim!.journeys.trial);
      expect(await replay(calls)).toMatchObject({ path: ['seen', 'hot'] });
      expect(await replay(calls.filter((c) => c.type !== 'alias'))).toMatchObject({ path: ['seen', 'cold'] });
    } finally {
      await server.close();
    }
  });
});
