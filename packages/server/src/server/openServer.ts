import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JourneyCatalog, Runtime, type Clock } from '@baton/engine';
import { createApp } from '../app/createApp.ts';
import type { ServerConfig } from '../app/deps.ts';
import { DurableJsonFile } from '../stores/durableJsonFile.ts';
import { LowdbStore } from '../stores/lowdbStore.ts';
import { Scheduler } from './scheduler.ts';
import { exampleSeed } from './seed.ts';

const systemClock: Clock = { now: () => Date.now() };

/** Loads DATA/config.json, or on first start seeds it with the examples, a demo team and fresh keys. */
async function loadConfig(dir: string, clock: Clock): Promise<{ config: ServerConfig; seeded: boolean }> {
  const file = new DurableJsonFile<ServerConfig>(join(dir, 'config.json'));
  const existing = await file.read();
  if (existing) return { config: existing, seeded: false };
  const seed = await exampleSeed();
  const publishedAt = new Date(clock.now()).toISOString();
  const config: ServerConfig = {
    journeys: seed.journeys.map((definition) => ({ id: (definition as { id: string }).id, version: 1, publishedAt, definition })),
    team: seed.team,
    workspace: seed.workspace,
    writeKey: `wk_${randomBytes(18).toString('base64url')}`,
    adminToken: `bt_${randomBytes(24).toString('base64url')}`,
  };
  await file.write(config);
  return { config, seeded: true };
}

/** Opens Baton on a data directory: config, the lowdb store, the runtime, the scheduler and the app. */
export async function openServer(options: { data: string; clock?: Clock; tickMs?: number }) {
  const clock = options.clock ?? systemClock;
  await mkdir(options.data, { recursive: true });
  const store = await LowdbStore.open(options.data);
  try {
    const { config, seeded } = await loadConfig(options.data, clock);
    const catalog = new JourneyCatalog();
    for (const j of [...config.journeys].sort((a, b) => a.version - b.version)) catalog.publish(j.definition, config.team);
    const runtime = new Runtime({ store, clock, catalog, team: config.team, workspace: config.workspace, ids: { next: (prefix) => `${prefix}_${randomUUID()}` }, owner: `baton-${process.pid}` });
    const scheduler = new Scheduler(runtime, options.tickMs ?? 250);
    // Timers that fell due while Baton was down fire now, each once, at the instant they were due.
    await scheduler.tick();
    scheduler.start();
    const app = createApp({ runtime, store, clock, config });
    return {
      app,
      runtime,
      store,
      config,
      seeded,
      async close() {
        scheduler.stop();
        await scheduler.idle();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
