import type pg from 'pg';

/**
 * A lease only one process holds at a time, such as the right to deliver the outbox: a session advisory
 * lock on a connection of its own. When the holder dies its connection ends, the lock is released, and
 * the next process to ask takes it.
 */
export class PgLease {
  private client: pg.PoolClient | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly key: number,
  ) {}

  /** Whether this process holds the lease, taking it if it is free. */
  async hold(): Promise<boolean> {
    if (this.client) {
      try {
        await this.client.query('SELECT 1');
        return true;
      } catch {
        this.lost(); // the connection, and with it the lock, is gone
      }
    }
    const client = await this.pool.connect().catch(() => null);
    if (!client) return false; // the database is away: not held
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [this.key]);
      if (rows[0]?.ok) {
        this.client = client;
        client.on('error', () => this.lost());
        return true;
      }
    } catch {
      // the database is away: not held
    }
    client.release();
    return false;
  }

  /** Gives the lease up, so another process takes it at once. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    await client.query('SELECT pg_advisory_unlock($1)', [this.key]).catch(() => undefined);
    client.release();
  }

  private lost(): void {
    this.client?.release(true);
    this.client = null;
  }
}
