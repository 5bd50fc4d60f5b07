import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isObject, JourneyCatalog, Runtime, validateJourney, type Clock } from '@baton/engine';
import { createApp } from '../app/createApp.ts';
import { ServerConfig } from './configFile.ts';
import { InvalidDataFileError } from '../stores/dataFileErrors.ts';
import { TOLERANCE_SECONDS } from '../app/routes/inbound.ts';
import { LiveFeed } from '../live/liveFeed.ts';
import { DurableJsonFile } from '../stores/durableJsonFile.ts';
import { LowdbStore } from '../stores/lowdbStore.ts';
import { Deliveries, DeliveryState, EMPTY_DELIVERIES, type DeliveryOptions } from '../webhooks/deliveries.ts';
import { ReplayGuard, type SeenIds } from '../webhooks/replayGuard.ts';
import { Configuration } from './configuration.ts';
import { scheduler } from './scheduler.ts';
import { exampleSeed } from './seed.ts';
import { Ticker } from './ticker.ts';

const systemClock: Clock = { now: () => Date.now() };

/** Where `pnpm install` builds the designer (the root postinstall runs its Vite build). */
const DESIGNER_DIST = new URL('../../../designer/dist/', import.meta.url).pathname;

const secret = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

/** Webhook ids seen by the inbound route, with when (`DATA/inbound.json`); kept as the file has them. */
const SeenIdsFile = z.custom<SeenIds>((x) => isObject(x) && Object.values(x).every((at) => typeof at === 'number'), 'must map webhook ids to the instants they were seen');

/**
 * Loads DATA/config.json, or on first start (no file) seeds it with the examples, a demo team and fresh
 * keys. A file that is not a valid configuration (null, `{}`, a published journey that no longer
 * validates) is refused with its problems and left byte for byte as it was; nothing is seeded over it.
 */
async function loadConfig(file: DurableJsonFile<ServerConfig>, clock: Clock): Promise<{ config: ServerConfig; seeded: boolean }> {
  const existing = await file.readChecked();
  if (existing) {
    const { data: config, upgraded } = existing;
    const problems = config.journeys.flatMap((j, i) =>
      validateJourney(j.definition, config.team).errors.map((e) => `$.journeys[${i}] (${j.id} v${j.version}) ${e.path}: ${e.message}`),
    );
    if (problems.length > 0) throw new InvalidDataFileError(file.file, problems);
    if (upgraded) await file.write(config);
    return { config, seeded: false };
  }
  const seed = await exampleSeed();
  const publishedAt = new Date(clock.now()).toISOString();
  const config = ServerConfig.parse({
    journeys: seed.journeys.map((definition) => ({ id: (definition as { id: string }).id, version: 1, publishedAt, definition })),
    team: seed.team,
    workspace: seed.workspace,
    writeKey: secret('wk'),
    adminToken: secret('bt'),
  });
  await file.write(config);
  return { config, seeded: true };
}

/** Options of a server: its data directory and, for tests, the clock, tick and webhook retry pace. */
export interface ServerOptions {
  data: string;
  clock?: Clock;
  tickMs?: number;
  deliveries?: Partial<DeliveryOptions>;
  /** Journal size after which the store writes a snapshot (default 64 MB; `BATON_SNAPSHOT_BYTES` sets it for `baton serve`). */
  snapshotBytes?: number;
}

/** Opens Baton on a data directory: config, the lowdb store, the runtime, the scheduler, webhooks and the app. */
export async function openServer(options: ServerOptions) {
  const clock = options.clock ?? systemClock;
  const tickMs = options.tickMs ?? 250;
    const store = await LowdbStore.open(options.data, options.snapshotBytes === undefined ? {} : { compactBytes: options.snapshotBytes });
  try {
    const configFile = new DurableJsonFile(join(options.data, 'config.json'), { schema: ServerConfig });
    const { config: data, seeded } = await loadConfig(configFile, clock);
    const catalog = new JourneyCatalog();
    for (const j of [...data.journeys].sort((a, b) => a.version - b.version)) catalog.publish(j.definition, data.team);
    for (const id of data.archived) catalog.archive(id);
    const runtime = new Runtime({ store, clock, catalog, team: data.team, workspace: data.workspace, ids: { next: (prefix) => `${prefix}_${randomUUID()}` }, owner: `baton-${process.pid}` });
    const config = new Configuration(data, configFile, runtime, clock);

    const deliveryFile = new DurableJsonFile(join(options.data, 'deliveries.json'), { schema: DeliveryState });
    const deliveries = new Deliveries((await deliveryFile.read()) ?? structuredClone(EMPTY_DELIVERIES), deliveryFile, store, config, clock, options.deliveries);
    const seenFile = new DurableJsonFile(join(options.data, 'inbound.json'), { schema: SeenIdsFile });
    const replayGuard = new ReplayGuard((await seenFile.read()) ?? {}, seenFile, clock, 2 * TOLERANCE_SECONDS * 1000);
    const live = new LiveFeed(runtime);

    const timers = scheduler(runtime, tickMs);
    const sender = new Ticker('webhooks', () => deliveries.pump(), tickMs);
    // Timers that fell due while Baton was down fire now, each once, at the instant they were due.
    await timers.tick();
    timers.start();
    sender.start();
    const designerDir = existsSync(`${DESIGNER_DIST}index.html`) ? DESIGNER_DIST : undefined;
    const deps = { runtime, store, clock, config, deliveries, live, replayGuard, designerDir };
    const app = createApp(deps);
    return {
      app,
      deps,
      runtime,
      store,
      config,
      deliveries,
      seeded,
      /** Fires what is due and delivers what is waiting, now (tests use it instead of waiting for a tick). */
      async settle() {
        await timers.tick();
        await sender.tick();
      },
      async close() {
        timers.stop();
        sender.stop();
        live.close();
        await timers.idle();
        await sender.idle();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
