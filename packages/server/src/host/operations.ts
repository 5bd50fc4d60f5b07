import {
  ConflictError,
  countOpenHandoffs,
  DuplicateMessageError,
  type Runtime,
  type Store,
} from '@baton/engine/internal';
import type { OpsDeps } from '../app/deps.ts';
import { InFlight } from '../app/observe.ts';
import type { LiveFeed } from '../live/liveFeed.ts';
import { Lifecycle } from '../ops/lifecycle.ts';
import { errorLogger, type Logger } from '../ops/logger.ts';
import { Metrics, type MetricsAccess } from '../ops/metrics.ts';
import type { Deliveries } from '../webhooks/deliveries.ts';
import { PostgresStore } from '../stores/postgres/postgresStore.ts';
import type { Storage } from './storage.ts';

/** How a server is operated; `baton serve` gives all of it, tests and embedders may give none. */
export interface OpsOptions {
  /** Default: errors only, to stderr. */
  log?: Logger | undefined;
  /** Default: metrics of this server alone, without Node's process metrics. */
  metrics?: Metrics | undefined;
  /** Default: a lifecycle of its own (`baton serve` passes the one its starting answers share). */
  lifecycle?: Lifecycle | undefined;
  /** Who may read `/metrics` (default: an admin token). */
  metricsAccess?: MetricsAccess | undefined;
}

/** The parts of a server that are measured. */
interface Parts {
  runtime: Runtime;
  storage: Storage;
  deliveries: Deliveries;
  live: LiveFeed;
}

/**
 * Measures a server's parts without slowing them: the runtime's steps and the store's commits are timed
 * by wrapping the two methods on these instances (a timer started and stopped), SLA breaches counted from
 * the committed effects, webhook failures counted and logged as they happen; the open handoffs, the
 * earliest due timer, the outbox and the open streams are read when Prometheus scrapes. The store is
 * asked for readiness.
 */
export function operate(parts: Parts, options: OpsOptions = {}): OpsDeps & { stop: () => void } {
  const { runtime, storage, deliveries, live } = parts;
  const log = options.log ?? errorLogger();
  const metrics = options.metrics ?? new Metrics();
  const lifecycle = options.lifecycle ?? new Lifecycle();
  timeSteps(runtime, metrics);
  timeCommits(storage.store, metrics);
  if (storage.store instanceof PostgresStore)
    storage.store.onFoldFailed = (err) =>
      log.warn({ err }, 'folding the rep loads failed; their changes stay and the next fold takes them');
  const stop = runtime.subscribe((applied) => {
    for (const e of applied.effects) {
      if (e.type === 'event' && e.name === 'Handoff SLA Breached')
        metrics.slaBreaches.inc({ journey: String(e.properties.journey ?? '') });
    }
  });
  deliveries.observe({
    failed(d, attempt, problem) {
      metrics.deliveryFailures.inc();
      log.warn({ delivery: d.id, endpoint: d.endpoint, event: d.event, attempt, problem }, 'webhook delivery failed');
    },
    dead(d, reason) {
      metrics.deadLettered.inc();
      log.error({ delivery: d.id, endpoint: d.endpoint, event: d.event, reason }, 'webhook delivery is a dead letter');
    },
  });
  metrics.scrapeFrom({
    openHandoffCounts: () =>
      storage.store.openHandoffCounts?.() ?? storage.store.openHandoffs().then(countOpenHandoffs),
    nextDueAt: () => storage.store.nextDueAt(runtime.clock.now()),
    now: () => runtime.clock.now(),
    outbox: () => ({
      held: deliveries.delivering,
      pending: deliveries.pending().length,
      dead: deliveries.dead().length,
    }),
    streams: () => live.listening,
  });
  lifecycle.check('store', () => storage.ready());
  return { log, metrics, lifecycle, inFlight: new InFlight(), metricsAccess: options.metricsAccess ?? 'token', stop };
}

/** Times every input applied to a contact (events, timers, people's actions), from its turn to its commit. */
function timeSteps(runtime: Runtime, metrics: Metrics): void {
  const apply = runtime.apply.bind(runtime);
  runtime.apply = (contactId, input, ...rest) => {
    const done = metrics.stepSeconds.startTimer({ input: input.kind });
    const work = apply(contactId, input, ...rest);
    void work.then(
      () => done(),
      () => done(),
    );
    return work;
  };
}

/**
 * Times every commit until the store acknowledges it, by result. A store that stages commits (lowdb)
 * acknowledges them in `durable()`: each staged commit is timed from its stage to the durable write that
 * carries it, and one the store refused counts at once.
 */
function timeCommits(store: Store, metrics: Metrics): void {
  const commit = store.commit.bind(store);
  store.commit = (c) => {
    const done = metrics.commitSeconds.startTimer();
    const work = commit(c);
    void work.then(
      () => done({ result: 'ok' }),
      (err: unknown) => done({ result: refused(err) ? 'refused' : 'failed' }),
    );
    return work;
  };
  if (!store.stage || !store.durable) return;
  const stage = store.stage.bind(store);
  const durable = store.durable.bind(store);
  let staged: ((labels: { result: string }) => void)[] = [];
  store.stage = (c) => {
    const done = metrics.commitSeconds.startTimer();
    try {
      stage(c);
    } catch (err) {
      done({ result: refused(err) ? 'refused' : 'failed' });
      throw err;
    }
    staged.push(done);
  };
  store.durable = () => {
    const covered = staged; // everything staged so far is in the write this waits for
    staged = [];
    const work = durable();
    void work.then(
      () => {
        for (const done of covered) done({ result: 'ok' });
      },
      () => {
        for (const done of covered) done({ result: 'failed' });
      },
    );
    return work;
  };
}

const refused = (err: unknown) => err instanceof ConflictError || err instanceof DuplicateMessageError;
