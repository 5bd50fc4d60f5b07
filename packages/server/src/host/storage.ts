import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { isObject, type Store } from '@baton/engine';
import type { Document } from '../stores/document.ts';
import { DurableJsonFile } from '../stores/durableJsonFile.ts';
import { LowdbStore } from '../stores/lowdbStore.ts';
import { DOCUMENTS_CHANNEL, PgDocument } from '../stores/postgres/pgDocument.ts';
import { PgLease } from '../stores/postgres/pgLease.ts';
import { PostgresStore } from '../stores/postgres/postgresStore.ts';
import { DeliveryState } from '../webhooks/deliveries.ts';
import type { SeenIds } from '../webhooks/replayGuard.ts';
import { ServerConfig } from '../server/configFile.ts';

/** Webhook ids seen by the inbound route, with when; kept as they were written. */
const SeenIdsDocument = z.custom<SeenIds>((x) => isObject(x) && Object.values(x).every((at) => typeof at === 'number'), 'must map webhook ids to the instants they were seen');

/** The documents the server keeps beside the runtime store. */
export type DocumentName = 'config' | 'deliveries' | 'inbound';

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
  /** Who delivers the outbox: always this process on lowdb, the lease holder on PostgreSQL. */
  deliveryLease: Lease;
  /** Hears that another process changed a document (PostgreSQL; never on lowdb, where one process runs). */
  onChange(listener: (name: DocumentName) => void): void;
  /** Where the data is, for the start banner. */
  where: string;
  close(): Promise<void>;
}

/** Where to keep the data: a lowdb directory, or a PostgreSQL database. */
export type StorageOptions = { data: string; snapshotBytes?: number | undefined } | { database: string; schema?: string | undefined };

/** Opens the storage a server runs on. */
export function openStorage(options: StorageOptions): Promise<Storage> {
  return 'database' in options ? openPostgres(options.database, options.schema) : openLowdb(options.data, options.snapshotBytes);
}

async function openLowdb(data: string, snapshotBytes: number | undefined): Promise<Storage> {
  await mkdir(data, { recursive: true, mode: 0o700 });
  await chmod(data, 0o700);
  const store = await LowdbStore.open(data, snapshotBytes === undefined ? {} : { compactBytes: snapshotBytes });
  return {
    store,
    config: new DurableJsonFile(join(data, 'config.json'), { schema: ServerConfig }),
    deliveries: new DurableJsonFile(join(data, 'deliveries.json'), { schema: DeliveryState }),
    inbound: new DurableJsonFile(join(data, 'inbound.json'), { schema: SeenIdsDocument }),
    deliveryLease: { hold: async () => true, release: async () => undefined },
    onChange: () => undefined,
    where: data,
    close: () => store.close(),
  };
}

/** The advisory lock key of the outbox delivery lease. */
const DELIVERY_LEASE = 0x62746e01;

async function openPostgres(url: string, schema: string | undefined): Promise<Storage> {
  const store = await PostgresStore.open({ url, ...(schema ? { schema } : {}) });
  const listeners: ((name: DocumentName) => void)[] = [];
  const listener = new DocumentListener(url, schema, (name) => {
    if (name === 'config' || name === 'deliveries' || name === 'inbound') for (const l of listeners) l(name);
  });
  await listener.start();
  const lease = new PgLease(store.pool, DELIVERY_LEASE);
  return {
    store,
    config: new PgDocument(store.pool, 'config', ServerConfig),
    deliveries: new PgDocument(store.pool, 'deliveries', DeliveryState),
    inbound: new PgDocument(store.pool, 'inbound', SeenIdsDocument),
    deliveryLease: lease,
    onChange: (l) => listeners.push(l),
    where: url.replace(/:[^:@/]*@/, ':***@'),
    async close() {
      await lease.release();
      await listener.stop();
      await store.close();
    },
  };
}

/** A connection of its own that LISTENs for document changes, reconnecting when it is dropped. */
class DocumentListener {
  private client: pg.Client | null = null;
  private stopped = false;

  constructor(private readonly url: string, private readonly schema: string | undefined, private readonly heard: (name: string) => void) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}) });
    client.on('notification', (n) => {
      if (n.channel === DOCUMENTS_CHANNEL && n.payload) this.heard(n.payload);
    });
    client.on('error', () => this.reconnect());
    await client.connect();
    await client.query(`LISTEN ${DOCUMENTS_CHANNEL}`);
    this.client = client;
  }

  private reconnect(): void {
    const old = this.client;
    this.client = null;
    void old?.end().catch(() => undefined);
    if (this.stopped) return;
    setTimeout(() => {
      if (this.stopped) return;
      this.start().then(
        // Whatever changed while the connection was down is reloaded too.
        () => ['config', 'deliveries', 'inbound'].forEach((name) => this.heard(name)),
        () => this.reconnect(),
      );
    }, 1000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }
}

/** The configuration kept in a storage, read without opening the store (`baton signin`); null when there is none. */
export async function readConfig(options: StorageOptions): Promise<ServerConfig | null> {
  if (!('database' in options)) return new DurableJsonFile(join(options.data, 'config.json'), { schema: ServerConfig }).read();
  const pool = new pg.Pool({ connectionString: options.database, max: 1, ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}) });
  try {
    return await new PgDocument(pool, 'config', ServerConfig).read();
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return null; // no tables yet: never started
    throw err;
  }
  finally {
    await pool.end();
  }
}
