import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Who may read `/metrics`: an admin token (the default), or anyone who can reach the port (`open`). */
export type MetricsAccess = 'token' | 'open';

/** What a scrape reads at that moment, never on the hot path: each is one indexed query or an in-memory count. */
export interface ScrapeSources {
  /** The open handoffs counted per queue and whether a rep holds them (the store counts them). */
  openHandoffCounts(): Promise<readonly { queue: string | null; assigned: boolean; n: number }[]>;
  /** The earliest due instant of a timer no process has claimed, or null. */
  nextDueAt(): Promise<number | null>;
  now(): number;
  /** The webhook outbox as this process sees it: whether it delivers (holds the lease), what waits, what died. */
  outbox(): { held: boolean; pending: number; dead: number };
  /** Live streams (SSE) open on this process. */
  streams(): number;
}

const LATENCY = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LATENESS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The Prometheus metrics of one Baton process, in a registry of its own (tests run several servers in
 * one process). Counters and histograms are updated where things happen, which costs a few additions;
 * gauges that need the store are read at scrape time from `ScrapeSources`.
 */
export class Metrics {
  readonly registry = new Registry();
  private sources: ScrapeSources | null = null;
  private readonly registers = [this.registry];

  readonly eventsAccepted = new Counter({
    name: 'baton_events_accepted_total',
    help: 'Events the intake accepted, by what became of them (applied, duplicate, skipped)',
    labelNames: ['status'],
    registers: this.registers,
  });
  readonly eventsRefused = new Counter({
    name: 'baton_events_refused_total',
    help: 'Events the intake refused, by error code (a request refused whole counts once)',
    labelNames: ['reason'],
    registers: this.registers,
  });
  readonly stepSeconds = new Histogram({
    name: 'baton_step_duration_seconds',
    help: 'One input applied to a contact (its turn, load, step and commit), by input kind',
    labelNames: ['input'],
    buckets: LATENCY,
    registers: this.registers,
  });
  readonly timersFired = new Counter({
    name: 'baton_timers_fired_total',
    help: 'Timers this process fired',
    registers: this.registers,
  });
  readonly timerLateness = new Histogram({
    name: 'baton_timer_lateness_seconds',
    help: 'How long after its due instant a timer fired',
    buckets: LATENESS,
    registers: this.registers,
  });
  readonly commitSeconds = new Histogram({
    name: 'baton_store_commit_duration_seconds',
    help: 'Store commits until durable (group commit included), by result: ok, refused (conflict, duplicate) or failed',
    labelNames: ['result'],
    buckets: LATENCY,
    registers: this.registers,
  });
  readonly slaBreaches = new Counter({
    name: 'baton_sla_breaches_total',
    help: 'Handoffs whose first-touch SLA this process saw breached, by journey',
    labelNames: ['journey'],
    registers: this.registers,
  });
  readonly deliveryFailures = new Counter({
    name: 'baton_webhook_delivery_failures_total',
    help: 'Webhook delivery attempts that failed (each retry counts)',
    registers: this.registers,
  });
  readonly deadLettered = new Counter({
    name: 'baton_webhook_dead_letters_total',
    help: 'Webhook deliveries that gave up and became dead letters',
    registers: this.registers,
  });
  readonly httpSeconds = new Histogram({
    name: 'baton_http_request_duration_seconds',
    help: 'HTTP requests until their answer starts, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY,
    registers: this.registers,
  });

  constructor() {
    const sources = () => this.sources;
    new Gauge({
      name: 'baton_handoffs_open',
      help: 'Open handoffs, by queue ("" when routed straight to a rep) and whether a rep holds them',
      labelNames: ['queue', 'assigned'],
      registers: this.registers,
      async collect() {
        this.reset();
        // The store unreachable: no samples (the scrape still answers with everything else).
        const counts = await sources()
          ?.openHandoffCounts()
          .catch(() => []);
        for (const c of counts ?? []) this.inc({ queue: c.queue ?? '', assigned: c.assigned ? 'yes' : 'no' }, c.n);
      },
    });
    new Gauge({
      name: 'baton_timers_overdue_seconds',
      help: 'How long the earliest due timer that no process has claimed has been waiting (0 when none is due)',
      registers: this.registers,
      async collect() {
        const s = sources();
        const due = s ? await s.nextDueAt().catch(() => null) : null;
        this.set(s && due !== null ? Math.max(0, (s.now() - due) / 1000) : 0);
      },
    });
    const outbox = (name: string, help: string, read: (o: ReturnType<ScrapeSources['outbox']>) => number) =>
      new Gauge({
        name,
        help,
        registers: this.registers,
        collect() {
          const s = sources();
          this.set(s ? read(s.outbox()) : 0);
        },
      });
    outbox(
      'baton_outbox_backlog',
      'Webhook deliveries waiting to be accepted (reported by the process that delivers; 0 on the others)',
      (o) => (o.held ? o.pending : 0),
    );
    outbox(
      'baton_webhook_dead_letters',
      'Dead letters waiting for a replay (reported by the process that delivers)',
      (o) => (o.held ? o.dead : 0),
    );
    outbox('baton_webhook_lease_held', '1 when this process delivers the outbox', (o) => (o.held ? 1 : 0));
    new Gauge({
      name: 'baton_live_streams_open',
      help: 'Live streams (SSE) open on this process',
      registers: this.registers,
      collect() {
        this.set(sources()?.streams() ?? 0);
      },
    });
  }

  /** Where scrape-time gauges read from (set once the server is built). */
  scrapeFrom(sources: ScrapeSources): void {
    this.sources = sources;
  }

  /** Adds Node's own metrics (CPU, memory, event loop lag, GC): once per process, by `baton serve`. */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }

  /** The exposition text of every metric, and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
