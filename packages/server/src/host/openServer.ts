import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { JourneyCatalog, Runtime, validateJourney, type Clock } from '@baton/engine/internal';
import { durationMillis } from '@baton/engine/internal';
import { createApp } from '../app/createApp.ts';
import { ServerConfig } from '../server/configFile.ts';
import { InvalidDataFileError } from '../stores/dataFileErrors.ts';
import { TOLERANCE_SECONDS } from '../app/routes/inbound.ts';
import { LiveFeed } from '../live/liveFeed.ts';
import type { Document } from '../stores/document.ts';
import { Deliveries, EMPTY_DELIVERIES, type DeliveryOptions } from '../webhooks/deliveries.ts';
import { ReplayGuard } from '../webhooks/replayGuard.ts';
import { openStorage, type StorageOptions } from './storage.ts';
import { Configuration } from '../server/configuration.ts';
import { Scheduler } from './scheduler.ts';
import { operate, type OpsOptions } from './operations.ts';
import { exampleSeed } from '../server/seed.ts';
import { Ticker } from './ticker.ts';
import { retainedFor } from '../stores/eventLog.ts';
import { SimulationSlots } from '../simulation/threads.ts';

const systemClock: Clock = { now: () => Date.now() };

/** Where the designer's build is: inside the installed package (dist/designer), or where `pnpm install` builds it in a checkout. */
const DESIGNER_DISTS = ['../designer/', '../../../designer/dist/'].map((dir) => new URL(dir, import.meta.url).pathname);

const secret = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

/**
 * Loads DATA/config.json, or on first start (no file) seeds it with the examples, a demo team and fresh
 * keys. A file that is not a valid configuration (null, `{}`, a published journey that no longer
 * validates) is refused with its problems and left byte for byte as it was; nothing is seeded over it.
 */
async function loadConfig(
  file: Document<ServerConfig>,
  clock: Clock,
): Promise<{ config: ServerConfig; seeded: boolean }> {
  const existing = await file.readChecked();
  if (existing) {
    const { data: config, upgraded } = existing;
    const problems = config.journeys.flatMap((j, i) =>
      validateJourney(j.definition, config.team, { stored: true }).errors.map(
        (e) => `$.journeys[${i}] (${j.id} v${j.version}) ${e.path}: ${e.message}`,
      ),
    );
    if (problems.length > 0) throw new InvalidDataFileError(file.name, problems);
    if (upgraded) await file.write(config);
    return { config, seeded: false };
  }
  const seed = await exampleSeed();
  const publishedAt = new Date(clock.now()).toISOString();
  const config = ServerConfig.parse({
    journeys: seed.journeys.map((definition) => ({
      id: (definition as { id: string }).id,
      version: 1,
      publishedAt,
      definition,
    })),
    team: seed.team,
    workspace: seed.workspace,
    writeKey: secret('wk'),
    adminToken: secret('bt'),
  });
  // Several processes may start on an empty database at once: the first configuration written wins.
  const kept = await file.create(config);
  return { config: kept, seeded: kept === config };
}

/**
 * Options of a server: where it keeps its data (a lowdb directory, or `database`, a PostgreSQL URL, with
 * an optional `schema`) and, for tests, the clock, tick and webhook retry pace.
 */
export type ServerOptions = StorageOptions & {
  clock?: Clock;
  tickMs?: number;
  deliveries?: Partial<DeliveryOptions>;
  /** The origins browsers may send events from (CORS on `/v1/*`); default any. */
  corsOrigins?: string[] | undefined;
  /** How long messageIds are remembered (ISO duration; SPEC §7: at least P7D, the default). */
  messageWindow?: string | undefined;
  /** How long an anonymous profile never linked is kept after it was last seen (ISO duration; default P30D). */
  anonymousTtl?: string | undefined;
  /** Logs, metrics and readiness (default: no logs, this server's own metrics). */
  ops?: OpsOptions | undefined;
  /** How long accepted events are kept for backtests (ISO duration; SPEC §10: default P30D). */
  eventRetention?: string | undefined;
  /** How many population simulations run at once (default: one per core beyond the first, at least one); 8 more may wait. */
  simulationSlots?: number | undefined;
};

/**
 * How long a timer claim holds before another process may take it over: how late the timers a process had
 * claimed fire when it is killed mid-batch (a stopping process gives its claims back at once). Firing a
 * batch of 100 takes well under a second; a claim that outlives its lease is harmless, since a timer fires
 * only while its contact still holds it (a second firing finds it gone), so short leases cost at most
 * repeated work. It was 60 s: a kill -9 left up to a batch of timers a minute late (SPEC §9).
 */
const TIMER_LEASE_MS = 10_000;

/** How often messageIds past the window are forgotten. */
const FORGET_MESSAGES_MS = 3_600_000;

/** Opens Baton on its storage: config, the store, the runtime, the scheduler, webhooks and the app. */
/** Ticks in a row that may fail before the process says it is not ready (a moment's outage is not one). */
const FAILED_TICKS_NOT_READY = 3;

/** Readiness of a task that runs every tick: not ready while its last few runs all failed. */
function stillTicking(what: string, failing: { count: number; last: unknown }): void {
  if (failing.count >= FAILED_TICKS_NOT_READY)
    throw new Error(
      `${what} failed its last ${failing.count} runs: ${failing.last instanceof Error ? failing.last.message : String(failing.last)}`,
    );
}

export async function openServer(options: ServerOptions) {
  const clock = options.clock ?? systemClock;
  const tickMs = options.tickMs ?? 250;
  const storage = await openStorage(options);
  const { store } = storage;
  try {
    const { config: data, seeded } = await loadConfig(storage.config, clock);
    const catalog = new JourneyCatalog();
    for (const j of [...data.journeys].sort((a, b) => a.version - b.version)) catalog.publish(j.definition, data.team);
    for (const id of data.archived) catalog.archive(id);
    const owner = `baton-${process.pid}-${randomUUID().slice(0, 8)}`;
    const runtime = new Runtime({
      store,
      clock,
      catalog,
      team: data.team,
      workspace: data.workspace,
      ids: { next: (prefix) => `${prefix}_${randomUUID()}` },
      owner,
      leaseMs: TIMER_LEASE_MS,
      backoff: commitBackoff,
      ...(options.messageWindow ? { messageWindow: options.messageWindow } : {}),
      ...(options.anonymousTtl ? { anonymousTtl: options.anonymousTtl } : {}),
    });
    const config = new Configuration(data, storage.config, runtime, clock);

    const deliveries = new Deliveries(
      (await storage.deliveries.read()) ?? structuredClone(EMPTY_DELIVERIES),
      storage.deliveries,
      store,
      config,
      clock,
      { ...options.deliveries, replays: storage.replays },
    );
    const replayGuard = new ReplayGuard(
      (await storage.inbound.read()) ?? {},
      storage.inbound,
      clock,
      2 * TOLERANCE_SECONDS * 1000,
    );
    const live = new LiveFeed(runtime, storage.live);
    const ops = operate({ runtime, storage, deliveries, live }, options.ops);
    const { log } = ops;
    // Another process changed configuration: take it in (journeys, team, tokens, webhooks); a token it
    // revoked ends its streams here too, not only at their next message or keep-alive.
    storage.onChange((name) => {
      if (name === 'deliveries') deliveries.heardWrite();
      if (name === 'replays') void sender.tick().catch((err: unknown) => failed('webhooks', err)); // sooner than its next tick
      if (name === 'config')
        void config.reload().then(
          (revoked) => {
            for (const id of revoked) live.revoke(id);
          },
          (err: unknown) => log.error({ err }, 'configuration reload failed'),
        );
    });

    const failed = (name: string, err: unknown) => log.error({ err, task: name }, `${name} failed`);
    const timers = new Scheduler(runtime, {
      tickMs,
      owner,
      leaseMs: TIMER_LEASE_MS,
      release: (o) => storage.releaseTimers(o),
      metrics: ops.metrics,
      failed,
      shared: storage.shared,
    });
    const sender = new Ticker('webhooks', () => deliveries.pumpIfHeld(storage.deliveryLease), tickMs, failed);
    const forgetting = new Ticker('messageIds', () => runtime.forgetMessages(), FORGET_MESSAGES_MS, failed);
    const retentionMs = durationMillis(options.eventRetention ?? 'P30D');
    const forgettingEvents = new Ticker(
      'events',
      () => storage.events.forget(clock.now() - retentionMs),
      FORGET_MESSAGES_MS,
      failed,
    );
    // A migration a crash cut short moves the contacts it had not moved yet (SPEC §10), before timers fire.
    await config.resumeMigrations();
    // Timers that fell due while Baton was down fire now, each once, at the instant they were due.
    await timers.tick();
    timers.start();
    sender.start();
    forgetting.start();
    forgettingEvents.start();
    ops.lifecycle.check('scheduler', async () => {
      if (!timers.running) throw new Error('the scheduler is not running');
      stillTicking('the scheduler', timers.failing);
    });
    ops.lifecycle.check('webhooks', async () => stillTicking('the webhook sender', sender.failing));
    const designerDir = DESIGNER_DISTS.find((dir) => existsSync(`${dir}index.html`));
    const simulations = new SimulationSlots(options.simulationSlots);
    const deps = {
      runtime,
      store,
      clock,
      config,
      deliveries,
      live,
      replayGuard,
      designerDir,
      corsOrigins: options.corsOrigins,
      ops,
      events: retainedFor(storage.events, retentionMs, () => clock.now()),
      simulations,
    };
    const app = createApp(deps);
    ops.lifecycle.started();
    return {
      app,
      deps,
      runtime,
      store,
      config,
      deliveries,
      seeded,
      /** Where the data is kept, for the start banner. */
      where: storage.where,
      /** Fires what is due and delivers what is waiting, now (tests use it instead of waiting for a tick). */
      async settle() {
        await timers.tick();
        await sender.tick();
      },
      /** Logs, metrics, readiness and the requests in flight. */
      ops,
      /** Ends the open live streams (and any opened from now on): a stopping server's connections can close. */
      endStreams() {
        live.close();
      },
      /** Not ready from now on (`/readyz` answers 503), population simulations in line or new refused; everything else still works. */
      drain() {
        ops.lifecycle.drain();
        simulations.close();
      },
      /**
       * Stops: not ready, live streams end, the timer being fired and the webhook pump in progress finish,
       * this process's timer claims and the delivery lease are released, the store commits what it holds.
       * Requests in flight are the listener's to wait for, before this.
       */
      async close() {
        ops.lifecycle.drain();
        simulations.close();
        sender.stop();
        forgetting.stop();
        forgettingEvents.stop();
        live.close();
        deliveries.stop();
        await timers.stop();
        await sender.idle();
        await forgetting.idle();
        await forgettingEvents.idle();
        ops.stop();
        await storage.close();
        ops.lifecycle.stopped();
      },
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}

/**
 * The pause before retry `attempt` of a commit another process beat (PostgreSQL): full jitter under a
 * ceiling that doubles from 5 ms to 200 ms, so processes that collided spread out rather than collide again.
 */
const commitBackoff = (attempt: number): Promise<void> =>
  new Promise((done) => setTimeout(done, Math.random() * Math.min(200, 5 * 2 ** (attempt - 1))));
