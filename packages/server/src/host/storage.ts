import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { isObject, type Store } from '@baton/engine/internal';
import type { LiveBus, LiveMessage } from '../live/liveFeed.ts';
import type { Document, SharedDocument } from '../stores/document.ts';
import { DataDirLockLostError } from '../stores/dataDirLock.ts';
import { DurableJsonFile } from '../stores/durableJsonFile.ts';
import { FileEventLog, PgEventLog, type EventLog } from '../stores/eventLog.ts';
import { LowdbStore } from '../stores/lowdbStore.ts';
import { DOCUMENTS_CHANNEL, PgDocument } from '../stores/postgres/pgDocument.ts';
import { PgLease } from '../stores/postgres/pgLease.ts';
import { checkSchema, releaseTimerClaims } from '../stores/postgres/pgOperations.ts';
import { PostgresStore } from '../stores/postgres/postgresStore.ts';
import { DeliveryState, ReplayRequests } from '../webhooks/deliveries.ts';
import type { SeenIds } from '../webhooks/replayGuard.ts';
import { ServerConfig } from '../server/configFile.ts';

/** Webhook ids seen by the inbound route, with when; kept as they were written. */
const SeenIdsDocument = z.custom<SeenIds>(
  (x) => isObject(x) && Object.values(x).every((at) => typeof at === 'number'),
  'must map webhook ids to the instants they were seen',
);

/** The documents the server keeps beside the runtime store. */
const DOCUMENT_NAMES = ['config', 'deliveries', 'inbound', 'replays'] as const;
export type DocumentName = (typeof DOCUMENT_NAMES)[number];
const isDocumentName = (name: string): name is DocumentName => (DOCUMENT_NAMES as readonly string[]).includes(name);

/** A lease on work only one process may do at a time. */
export interface Lease {
  /** Whether this process holds it now, taking it if it is free. */
  hold(): Promise<boolean>;
  /** Gives it up so another process takes it at once. */
  release(): Promise<void>;
}

/** Where a server keeps everything: the runtime store and its documents, lowdb files or PostgreSQL. */
export interface Storage {
  store: Store;
  config: Document<ServerConfig>;
  deliveries: Document<DeliveryState>;
  inbound: Document<SeenIds>;
  /** The accepted events, kept for backtests (SPEC §10). */
  events: EventLog;
  /** Who delivers the outbox: always this process on lowdb, the lease holder on PostgreSQL. */
  deliveryLease: Lease;
  /** Whether other processes may serve the same data at once (PostgreSQL); never on lowdb. */
  shared: boolean;
  /** Dead-letter replays asked of a process that does not deliver, for the one that does (PostgreSQL). */
  replays: SharedDocument<ReplayRequests> | undefined;
  /** Hears that another process changed a document (PostgreSQL; never on lowdb, where one process runs). */
  onChange(listener: (name: DocumentName) => void): void;
  /** Carries live messages between processes (PostgreSQL); none on lowdb. */
  live: LiveBus | undefined;
  /** Where the data is, for the start banner. */
  where: string;
  /** Resolves when the store answers with its schema migrated; throws with why not (readiness). */
  ready(): Promise<void>;
  /** Gives up one owner's timer claims, so another process fires them at once (a no-op on lowdb: one process). */
  releaseTimers(owner: string): Promise<void>;
  close(): Promise<void>;
}

/** Where to keep the data: a lowdb directory, or a PostgreSQL database. */
export type StorageOptions =
  | {
      data: string;
      snapshotBytes?: number | undefined;
      /** Told if another process takes the data directory's lock while the server runs (it should stop). */
      onLockLost?: ((error: Error) => void) | undefined;
    }
  | { database: string; schema?: string | undefined; historyCacheEvents?: number | undefined };

/** Opens the storage a server runs on. */
export function openStorage(options: StorageOptions): Promise<Storage> {
  return 'database' in options
    ? openPostgres(options.database, options.schema, options.historyCacheEvents)
    : openLowdb(options.data, options.snapshotBytes, options.onLockLost);
}

async function openLowdb(
  data: string,
  snapshotBytes: number | undefined,
  onLockLost: ((error: Error) => void) | undefined,
): Promise<Storage> {
  const store = await LowdbStore.open(data, {
    ...(snapshotBytes === undefined ? {} : { compactBytes: snapshotBytes, fixedCompactBytes: true }),
    ...(onLockLost ? { onLockLost } : {}),
  });
  // Once another process has taken the data directory, none of its files is written from here.
  const beforeWrite = () => store.checkLock(true);
  const events = new FileEventLog(data, beforeWrite);
  return {
    store,
    config: new DurableJsonFile(join(data, 'config.json'), { schema: ServerConfig, beforeWrite }),
    deliveries: new DurableJsonFile(join(data, 'deliveries.json'), { schema: DeliveryState, beforeWrite }),
    inbound: new DurableJsonFile(join(data, 'inbound.json'), { schema: SeenIdsDocument, beforeWrite }),
    events,
    deliveryLease: { hold: async () => true, release: async () => undefined },
    shared: false,
    replays: undefined,
    onChange: () => undefined,
    live: undefined,
    where: data,
    ready: async () => {
      if (store.failed instanceof DataDirLockLostError) throw store.failed;
      if (store.failed) throw new Error(`a write to the data directory failed (${store.failed.message})`);
    },
    releaseTimers: async () => undefined,
    close: async () => {
      await events.close();
      await store.close();
    },
  };
}

/** The advisory lock key of the outbox delivery lease. */
const DELIVERY_LEASE = 0x62746e01;

async function openPostgres(
  url: string,
  schema: string | undefined,
  historyCacheEvents: number | undefined,
): Promise<Storage> {
  const store = await PostgresStore.open({ url, ...(schema ? { schema } : {}), olderPartEvents: historyCacheEvents });
  const listeners: ((name: DocumentName) => void)[] = [];
  const live = new PgLiveBus(store.pool);
  const listener = new Listener(
    url,
    schema,
    (channel, payload) => {
      if (channel === LIVE_CHANNEL) return live.heard(payload);
      if (isDocumentName(payload)) for (const l of listeners) l(payload);
    },
    () => live.gap(),
  );
  await listener.start();
  const lease = new PgLease(store.pool, DELIVERY_LEASE);
  // Its row exists from the start, so the first two requests, asked at once, are appended one after the other.
  const replays = new PgDocument(store.pool, 'replays', ReplayRequests);
  await replays.create({ requests: [] });
  return {
    store,
    config: new PgDocument(store.pool, 'config', ServerConfig),
    deliveries: new PgDocument(store.pool, 'deliveries', DeliveryState),
    inbound: new PgDocument(store.pool, 'inbound', SeenIdsDocument),
    events: new PgEventLog(store.pool),
    deliveryLease: lease,
    shared: true,
    replays,
    onChange: (l) => listeners.push(l),
    live,
    where: url.replace(/:[^:@/]*@/, ':***@'),
    ready: () => checkSchema(store.pool),
    releaseTimers: (owner) => releaseTimerClaims(store.pool, owner),
    async close() {
      await live.flush();
      await lease.release();
      await listener.stop();
      await store.close();
    },
  };
}

/** The channel live messages travel on between processes. */
export const LIVE_CHANNEL = 'baton_live';

/** A connection of its own that LISTENs for document changes and live messages, reconnecting when it is dropped. */
class Listener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly schema: string | undefined,
    private readonly heard: (channel: string, payload: string) => void,
    /** After a reconnect: what was sent while the connection was down was not heard. */
    private readonly reconnected: () => void,
  ) {}

  /** Connects and listens; on failure the half-made connection is ended and the error thrown. */
  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}),
    });
    client.on('notification', (n) => {
      if (n.payload) this.heard(n.channel, n.payload);
    });
    // Only the connection in use may ask for a new one, and only once: a dropped connection can report
    // several errors, and a failed start reports its own.
    client.on('error', () => {
      if (this.client === client) this.lost();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${DOCUMENTS_CHANNEL}`);
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (err) {
      void client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
  }

  /** The connection dropped: end it and try again shortly, until a start succeeds. */
  private lost(): void {
    const old = this.client;
    this.client = null;
    void old?.end().catch(() => undefined);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.stopped) return;
      this.start().then(
        // Whatever changed while the connection was down is reloaded too, and live streams start afresh.
        () => {
          for (const name of DOCUMENT_NAMES) this.heard(DOCUMENTS_CHANNEL, name);
          this.reconnected();
        },
        () => this.scheduleRetry(),
      );
    }, 250);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}

/** NOTIFY carries at most 8000 bytes: messages go in payloads under this size. */
const PAYLOAD_BYTES = 7000;
/** The fields a stream filters on, kept when a message is too large to travel whole. */
const ESSENTIAL = ['handoff', 'journey', 'node', 'rep', 'from', 'queue', 'fromQueue', 'outcome', 'version', 'run'];

/**
 * Live messages between processes over NOTIFY: this process's messages are gathered for a moment and
 * sent in as few notifications as fit, tagged with the process, which skips its own when they come back.
 */
export class PgLiveBus implements LiveBus {
  private readonly origin = randomUUID();
  private pending: LiveMessage[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(messages: LiveMessage[]) => void>();
  private readonly gapListeners = new Set<() => void>();

  constructor(private readonly pool: pg.Pool) {}

  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /** The connection that LISTENs was down and is back: messages sent meanwhile were not heard. */
  gap(): void {
    for (const l of this.gapListeners) l();
  }

  publish(messages: LiveMessage[]): void {
    if (messages.length === 0) return;
    this.pending.push(...messages);
    this.timer ??= setTimeout(() => void this.flush(), 20);
  }

  subscribe(listener: (messages: LiveMessage[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A notification arrived: another process's messages go to the listeners. */
  heard(payload: string): void {
    let parsed: { origin?: unknown; messages?: unknown };
    try {
      parsed = JSON.parse(payload) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.origin === this.origin) return;
    // Another process could not send some of its messages: this one's streams missed them.
    if ((parsed as { gap?: unknown }).gap === true) return this.gap();
    if (!Array.isArray(parsed.messages)) return;
    for (const l of this.listeners) l(parsed.messages as LiveMessage[]);
  }

  /** Messages this process could not send (the database away): the others are told at the next send. */
  private lost = false;

  /** Sends what is pending now. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const messages = this.pending;
    this.pending = [];
    this.sending = this.sending.then(async () => {
      // Live views are best effort, but never silently short: after a send that failed, the others are told
      // of the gap first, and their streams end for their clients to read afresh (as after a lost LISTEN).
      const sends = payloads(this.origin, messages);
      const notice = this.lost ? JSON.stringify({ origin: this.origin, gap: true }) : undefined;
      if (notice !== undefined) sends.unshift(notice);
      for (const payload of sends) {
        try {
          await this.pool.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, payload]);
          if (payload === notice) this.lost = false;
        } catch {
          // The rest would reach the others ahead of the notice: they are dropped, the notice covers them,
          // and it is tried again in a second even if nothing more is published.
          this.lost = true;
          this.timer ??= setTimeout(() => void this.flush(), 1_000);
          break;
        }
      }
    });
    return this.sending;
  }
}

/** Packs messages into NOTIFY payloads; a message too large alone keeps only the fields streams filter on. */
function payloads(origin: string, messages: readonly LiveMessage[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  const close = () => {
    if (batch.length > 0) out.push(`{"origin":${JSON.stringify(origin)},"messages":[${batch.join(',')}]}`);
    batch = [];
    size = 0;
  };
  for (const m of messages) {
    let text = JSON.stringify(m);
    if (Buffer.byteLength(text) > PAYLOAD_BYTES) {
      text = JSON.stringify({
        ...m,
        data: Object.fromEntries(ESSENTIAL.filter((k) => Object.hasOwn(m.data, k)).map((k) => [k, m.data[k]])),
      });
    }
    const bytes = Buffer.byteLength(text) + 1;
    if (size + bytes > PAYLOAD_BYTES) close();
    batch.push(text);
    size += bytes;
  }
  close();
  return out;
}

/** The configuration kept in a storage, read without opening the store (`baton signin`); null when there is none. */
export async function readConfig(options: StorageOptions): Promise<ServerConfig | null> {
  if (!('database' in options))
    return new DurableJsonFile(join(options.data, 'config.json'), { schema: ServerConfig }).read();
  const pool = new pg.Pool({
    connectionString: options.database,
    max: 1,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  try {
    return await new PgDocument(pool, 'config', ServerConfig).read();
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return null; // no tables yet: never started
    throw err;
  } finally {
    await pool.end();
  }
}
