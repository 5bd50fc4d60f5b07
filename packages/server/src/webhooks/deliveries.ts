import { z } from 'zod';
import { BatonError, formatInstant, type Clock, type Effect, type OutboxEntry, type Store } from '@baton/engine';
import type { Configuration } from '../server/configuration.ts';
import type { Document, SharedDocument } from '../stores/document.ts';
import { signedHeaders } from './signature.ts';

/** One message to one endpoint, tried until it is accepted or goes to the dead letters. */
export interface Delivery {
  /** The Standard Webhooks `webhook-id`: the same on every attempt, so receivers can deduplicate. */
  id: string;
  /** The endpoint, or null for a journey's webhook action (sent to its own url). */
  endpoint: string | null;
  url: string;
  event: string;
  body: string;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  createdAt: number;
}

const DeliveryShape = z.object({
  id: z.string(),
  endpoint: z.string().nullable(),
  url: z.string(),
  event: z.string(),
  body: z.string(),
  attempts: z.number().int().nonnegative(),
  nextAt: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
}) satisfies z.ZodType<Delivery>;

/** What the delivery worker keeps in `DATA/deliveries.json`. */
export const DeliveryState = z.object({
  /** The last outbox position turned into deliveries. */
  cursor: z.number().int().nonnegative(),
  pending: z.array(DeliveryShape),
  dead: z.array(DeliveryShape),
});
export type DeliveryState = z.infer<typeof DeliveryState>;

/**
 * Dead-letter replays asked of a process that does not deliver (PostgreSQL), for the one that does: each
 * names a dead letter, or all of them (null). The holder takes them out and applies them to its state.
 */
export const ReplayRequests = z.object({ requests: z.array(z.object({ id: z.string().nullable() })) });
export type ReplayRequests = z.infer<typeof ReplayRequests>;

export interface DeliveryOptions {
  /** Attempts before a delivery goes to the dead letters. */
  maxAttempts: number;
  /** The first retry waits up to this long; each later one up to twice as long, never beyond `capMs`. */
  baseMs: number;
  capMs: number;
  timeoutMs: number;
  random: () => number;
  /**
   * Where other processes serving the same state (PostgreSQL) leave the dead-letter replays asked of them
   * for the one that holds the lease; none on lowdb, where this process is the only one.
   */
  replays: SharedDocument<ReplayRequests> | undefined;
}

const DEFAULTS: DeliveryOptions = {
  maxAttempts: 8,
  baseMs: 5_000,
  capMs: 3_600_000,
  timeoutMs: 10_000,
  random: Math.random,
  replays: undefined,
};

/** Hears about attempts that failed (metrics and the log); the URL is not given: it may hold a secret. */
export interface DeliveryObserver {
  /** An attempt failed; another follows unless the delivery became a dead letter. */
  failed(delivery: Pick<Delivery, 'id' | 'endpoint' | 'event'>, attempt: number, problem: string): void;
  /** A delivery gave up and became a dead letter. */
  dead(delivery: Pick<Delivery, 'id' | 'endpoint' | 'event'>, reason: string): void;
}

export const EMPTY_DELIVERIES: DeliveryState = { cursor: 0, pending: [], dead: [] };

/**
 * Delivers the outbox: every life-cycle event to each subscribed endpoint and every webhook action to its
 * url, signed as Standard Webhooks says. Failures retry with exponential backoff and full jitter; a 410
 * disables the endpoint; after the last attempt a delivery becomes a dead letter that can be replayed.
 * Delivery is at least once: the state is written after sending.
 */
export class Deliveries {
  private readonly options: DeliveryOptions;

  constructor(
    private state: DeliveryState,
    private readonly file: Document<DeliveryState>,
    private readonly store: Store,
    private readonly config: Configuration,
    private readonly clock: Clock,
    options: Partial<DeliveryOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  pending(): readonly Delivery[] {
    return this.state.pending;
  }

  dead(): readonly Delivery[] {
    return this.state.dead;
  }

  private holding = false;
  private observer: DeliveryObserver | null = null;
  private readonly stopping = new AbortController();

  /** Cuts the attempts in progress short (the server stops): they count as failed and are retried, with their ids. */
  stop(): void {
    this.stopping.abort();
  }

  /** Whether this process delivers the outbox now (it held the lease at its last pump). */
  get delivering(): boolean {
    return this.holding;
  }

  /** Tells `observer` of every failed attempt and dead letter from now on. */
  observe(observer: DeliveryObserver): void {
    this.observer = observer;
  }

  /**
   * Pumps when this process holds the delivery lease (always on lowdb; one process at a time on
   * PostgreSQL). A process that takes the lease over first reads the state its last holder wrote, so a
   * delivery keeps its id and its attempts across the takeover.
   */
  async pumpIfHeld(lease: { hold(): Promise<boolean> }): Promise<void> {
    if (!(await lease.hold())) {
      // Another process delivers: this copy is only shown, and never written whole again.
      this.holding = false;
      this.cursorAhead = false;
      return;
    }
    if (!this.holding) {
      this.state = (await this.file.read()) ?? structuredClone(EMPTY_DELIVERIES);
      this.holding = true;
      this.stale = false;
    }
    // Replays asked of other processes, looked for at every pump of the holder (one read of a small row):
    // only a process that has just made sure of the lease applies them, and one that failed is tried again.
    await this.takeReplays();
    await this.pump();
  }

  /** Whether the cursor moved past effects (that became no delivery) since the state was last written. */
  private cursorAhead = false;

  private async write(): Promise<void> {
    this.cursorAhead = false;
    await this.file.write(this.state);
  }

  /** Applies the replays other processes left for the holder, then writes the state once; nothing when none wait. */
  private async takeReplays(): Promise<void> {
    const { replays } = this.options;
    if (replays === undefined || !this.holding || !(await replays.read())?.requests.length) return;
    let taken: ReplayRequests['requests'] = [];
    await replays.update((stored) => {
      taken = stored?.requests ?? [];
      return { requests: [] };
    });
    const moved = taken.reduce((n, r) => n + this.revive(this.state, r.id ?? undefined), 0);
    if (moved > 0) await this.write();
  }

  /** Whether the lists this process shows may be older than the holder's (it heard of a write since). */
  private stale = false;

  /** Another process wrote the state (PostgreSQL tells of each write): a process that does not deliver reads it when asked. */
  heardWrite(): void {
    if (!this.holding) this.stale = true;
  }

  /** The state as the holder last wrote it, on a process that does not deliver and heard of a write since. */
  async current(): Promise<void> {
    if (!this.stale || this.holding) return;
    const stored = await this.file.read();
    this.stale = false;
    if (stored && !this.holding) this.state = stored;
  }

  /**
   * Makes the cursor durable past the effects read so far. Called before an endpoint is added or changed:
   * effects that became no delivery leave the store without a write of the cursor (see `pump`), and on
   * lowdb a restart's journal brings them back; read again after the change, they would send the new
   * endpoint events from before it subscribed.
   */
  async checkpoint(): Promise<void> {
    if (this.cursorAhead) await this.write();
  }

  /** Turns new outbox entries into deliveries and makes every attempt that is due. */
  async pump(): Promise<void> {
    let read = false;
    let changed = false;
    for (
      let batch = await this.store.readOutbox(this.state.cursor, 500);
      batch.length > 0;
      batch = await this.store.readOutbox(this.state.cursor, 500)
    ) {
      const before = this.state.pending.length;
      for (const entry of batch) this.enqueue(entry);
      this.state.cursor = batch.at(-1)!.seq;
      read = true;
      if (this.state.pending.length !== before) changed = true;
    }
    const now = this.clock.now();
    const due = this.state.pending.filter((d) => d.nextAt <= now).slice(0, 50);
    if (due.length > 0) {
      await Promise.all(due.map((d) => this.attempt(d)));
      changed = true;
    }
    // The deliveries are durable before the effects they came from leave the store. Effects that became no
    // delivery (no endpoint subscribes to them) leave it without a write, and the state's cursor may stay
    // behind them until the next write or `checkpoint` (a write of the state was a fsync four times a
    // second while events came in, beside the journal's): read again, they become no delivery again.
    if (changed) await this.write();
    else if (read) this.cursorAhead = true;
    if (changed || read) await this.store.pruneOutbox(this.state.cursor);
  }

  /**
   * Puts a dead letter (or all of them) back to be delivered now, with fresh attempts. A process that does
   * not deliver (PostgreSQL) leaves the request for the one that does, which applies it when it hears of
   * it, and answers how many dead letters the stored state holds that match: its own copy may be older
   * than the holder's, and written whole it would bring back deliveries the holder made since (each sent
   * twice) or drop the holder's own.
   */
  async replay(id?: string): Promise<number> {
    const { replays } = this.options;
    if (this.holding || replays === undefined) {
      const moved = this.revive(this.state, id);
      if (id !== undefined && moved === 0) throw new BatonError('not_found', `no dead letter ${id}`);
      await this.write();
      return moved;
    }
    const stored = (await this.file.read()) ?? structuredClone(EMPTY_DELIVERIES);
    const matching = stored.dead.filter((d) => id === undefined || d.id === id).length;
    if (id !== undefined && matching === 0) throw new BatonError('not_found', `no dead letter ${id}`);
    await replays.update((asked) => ({ requests: [...(asked?.requests ?? []), { id: id ?? null }] }));
    this.state = stored;
    return matching;
  }

  /** Moves a dead letter (or all of them) of `state` back to pending, with fresh attempts; answers how many. */
  private revive(state: DeliveryState, id: string | undefined): number {
    const chosen = state.dead.filter((d) => id === undefined || d.id === id);
    state.dead = state.dead.filter((d) => !chosen.includes(d));
    for (const d of chosen) state.pending.push({ ...d, attempts: 0, nextAt: this.clock.now(), lastError: null }); // any number of dead letters
    return chosen.length;
  }

  private enqueue({ seq, effect }: OutboxEntry): void {
    const now = this.clock.now();
    const base = { id: `msg_${seq}`, attempts: 0, nextAt: now, lastError: null, createdAt: now };
    if (effect.type === 'webhook') {
      this.state.pending.push({
        ...base,
        endpoint: null,
        url: effect.url,
        event: 'webhook',
        body: JSON.stringify(effect.body),
      });
      return;
    }
    if (effect.type !== 'event') return;
    const body = JSON.stringify(eventPayload(effect));
    for (const ep of this.config.data.webhooks) {
      if (ep.disabled || (ep.events && !ep.events.includes(effect.name))) continue;
      this.state.pending.push({
        ...base,
        id: `msg_${seq}_${ep.id}`,
        endpoint: ep.id,
        url: ep.url,
        event: effect.name,
        body,
      });
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const endpoint = d.endpoint === null ? null : this.config.data.webhooks.find((e) => e.id === d.endpoint);
    if (endpoint === undefined || endpoint?.disabled)
      return this.bury(d, `endpoint ${d.endpoint} is ${endpoint ? 'disabled' : 'gone'}`);
    const secret = endpoint ? endpoint.secret : this.config.data.actionSecret;
    const attempts = d.attempts + 1;
    let problem: string;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: signedHeaders(secret, d.id, Math.floor(this.clock.now() / 1000), d.body),
        body: d.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.stopping.signal]),
      });
      await res.body?.cancel();
      if (res.ok) return this.settle(d);
      if (res.status === 410 && endpoint) {
        await this.config.updateWebhook(endpoint.id, {
          disabled: { at: formatInstant(this.clock.now()), reason: `${d.url} answered 410 Gone` },
        });
        return this.bury({ ...d, attempts }, 'the endpoint answered 410 Gone and was disabled');
      }
      problem = `HTTP ${res.status}`;
    } catch (err) {
      const name = (err as Error).name;
      problem =
        name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : name === 'AbortError'
            ? 'Baton stopped before the answer'
            : (err as Error).message;
    }
    this.observer?.failed(d, attempts, problem);
    if (attempts >= this.options.maxAttempts) return this.bury({ ...d, attempts }, problem);
    // Full jitter: anywhere between now and the exponential ceiling, so retries of many deliveries spread out.
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** (attempts - 1));
    this.replace(d, {
      ...d,
      attempts,
      lastError: problem,
      nextAt: this.clock.now() + Math.floor(this.options.random() * ceiling),
    });
  }

  private settle(d: Delivery): void {
    this.state.pending = this.state.pending.filter((x) => x !== d);
  }

  private bury(d: Delivery, reason: string): void {
    this.observer?.dead(d, reason);
    this.settle(this.state.pending.find((x) => x.id === d.id)!);
    this.state.dead.push({ ...d, lastError: reason });
  }

  private replace(d: Delivery, next: Delivery): void {
    this.state.pending = this.state.pending.map((x) => (x === d ? next : x));
  }
}

/** The body of a life-cycle event delivery: Standard Webhooks' `{ type, timestamp, data }`. */
function eventPayload(effect: Extract<Effect, { type: 'event' }>) {
  return {
    type: effect.name,
    timestamp: formatInstant(effect.at),
    data: { contactId: effect.contactId, ...effect.properties },
  };
}
