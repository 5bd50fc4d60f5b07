import type { Clock, Runtime, Store } from '@baton/engine/internal';
import type { Configuration } from '../server/configuration.ts';
export type {
  ApiToken,
  JourneyDraft,
  PublishedJourney,
  Role,
  ServerConfig,
  WebhookEndpoint,
} from '../server/configFile.ts';
import type { Deliveries } from '../webhooks/deliveries.ts';
import type { LiveFeed } from '../live/liveFeed.ts';
import type { ReplayGuard } from '../webhooks/replayGuard.ts';
import type { Lifecycle } from '../ops/lifecycle.ts';
import type { Logger } from '../ops/logger.ts';
import type { Metrics, MetricsAccess } from '../ops/metrics.ts';
import type { InFlight } from './observe.ts';
import type { EventLog } from '../stores/eventLog.ts';
import type { SimulationSlots } from '../simulation/threads.ts';

/** What operating a process takes: its log, metrics, readiness, the requests in flight, who reads metrics. */
export interface OpsDeps {
  log: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  inFlight: InFlight;
  metricsAccess: MetricsAccess;
}

/** What the app needs; tests pass their own. */
export interface AppDeps {
  runtime: Runtime;
  store: Store;
  clock: Clock;
  config: Configuration;
  deliveries: Deliveries;
  live: LiveFeed;
  replayGuard: ReplayGuard;
  /** The built designer (packages/designer/dist), served at `/`; without it `/` is a page of curl commands. */
  designerDir?: string | undefined;
  /** The origins a browser may send events from (CORS on `/v1/*`); default any: a write key is public in a browser. */
  corsOrigins?: string[] | undefined;
  ops: OpsDeps;
  /** The accepted events kept for backtests (SPEC §10); without it none are kept and the export is empty. */
  events?: EventLog | undefined;
  /** Population simulations run at once and waiting (default: one per core beyond the first). */
  simulations?: SimulationSlots | undefined;
}
