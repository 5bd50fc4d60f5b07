import v8 from 'node:v8';
import { stopGracefully, type StopPlan } from '../host/service.ts';
import { flushLogs, type Logger } from '../ops/logger.ts';
import type { MetricsAccess } from '../ops/metrics.ts';
import { CliError, EXIT } from './io.ts';

/** How `baton serve` is operated: from its flags, else the environment, else the defaults. */
export interface OperatingOptions {
  /** The most a graceful stop may take (default 10 s); past it the process exits with 1. */
  shutdownTimeoutMs: number;
  /** How long a stopping process keeps answering, not ready, before it stops accepting (default 0). */
  drainDelayMs: number;
  metrics: MetricsAccess;
  logLevel: string;
  /**
   * How far V8 may let the heap grow past what the last full collection kept, in percent (default 40);
   * undefined leaves V8's own policy (`--heap-growth 0`, or a `--heap-growing-percent` given to node).
   */
  heapGrowthPercent: number | undefined;
  /** How many population simulations run at once; undefined: one per core beyond the first. */
  simulationSlots: number | undefined;
}

/** The default of --heap-growth: 100k contacts stay under 500 MB resident under load (docs/BENCHMARKS.md). */
export const DEFAULT_HEAP_GROWTH = 40;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A number of seconds from a flag or a variable, or misuse (exit 2) naming it. */
function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback * 1000;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n < 0)
    throw new CliError(2, `${name} needs a number of seconds, got ${JSON.stringify(value)}`);
  return Math.round(n * 1000);
}

/**
 * Reads --shutdown-timeout, --drain-delay, --metrics, --log-level, --heap-growth and --simulation-slots (or
 * BATON_SHUTDOWN_TIMEOUT, BATON_DRAIN_DELAY, BATON_METRICS, BATON_LOG_LEVEL, BATON_HEAP_GROWTH,
 * BATON_SIMULATION_SLOTS).
 */
export function operatingOptions(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): OperatingOptions {
  const shutdownTimeoutMs = seconds(
    values['shutdown-timeout'] ?? env.BATON_SHUTDOWN_TIMEOUT,
    '--shutdown-timeout (BATON_SHUTDOWN_TIMEOUT)',
    10,
  );
  const drainDelayMs = seconds(values['drain-delay'] ?? env.BATON_DRAIN_DELAY, '--drain-delay (BATON_DRAIN_DELAY)', 0);
  if (shutdownTimeoutMs === 0) throw new CliError(2, '--shutdown-timeout must be more than 0 seconds');
  if (drainDelayMs >= shutdownTimeoutMs)
    throw new CliError(
      2,
      `--drain-delay (${drainDelayMs / 1000} s) must be shorter than --shutdown-timeout (${shutdownTimeoutMs / 1000} s)`,
    );
  const metrics = values.metrics ?? env.BATON_METRICS ?? 'token';
  if (metrics !== 'token' && metrics !== 'open')
    throw new CliError(
      2,
      `--metrics (BATON_METRICS) is "token" (an admin token reads /metrics) or "open", got ${JSON.stringify(metrics)}`,
    );
  const logLevel = values['log-level'] ?? env.BATON_LOG_LEVEL ?? 'info';
  if (typeof logLevel !== 'string' || !LEVELS.includes(logLevel))
    throw new CliError(
      2,
      `--log-level (BATON_LOG_LEVEL) is one of ${LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`,
    );
  const heapGrowthPercent = heapGrowth(values['heap-growth'], env, execArgv);
  // A container's CPU limit is not always what the machine reports, so the operator may say.
  const slots = values['simulation-slots'] ?? env.BATON_SIMULATION_SLOTS;
  let simulationSlots: number | undefined;
  if (slots !== undefined && slots !== '') {
    simulationSlots = Number(slots);
    if (typeof slots !== 'string' || !Number.isInteger(simulationSlots) || simulationSlots < 1 || simulationSlots > 64)
      throw new CliError(
        2,
        `--simulation-slots (BATON_SIMULATION_SLOTS) is how many population simulations run at once, 1 to 64, got ${JSON.stringify(slots)}`,
      );
  }
  return { shutdownTimeoutMs, drainDelayMs, metrics, logLevel, heapGrowthPercent, simulationSlots };
}

/**
 * --heap-growth, else BATON_HEAP_GROWTH, of `baton serve` and `baton simulate`: a whole percent, 0 for V8's
 * own policy; node's own flag wins when given.
 */
export function heapGrowth(
  flag: unknown,
  env: NodeJS.ProcessEnv = process.env,
  nodeArgs: readonly string[] = process.execArgv,
): number | undefined {
  const name = '--heap-growth (BATON_HEAP_GROWTH)';
  const value = flag ?? env.BATON_HEAP_GROWTH;
  let percent = DEFAULT_HEAP_GROWTH;
  if (value !== undefined && value !== '') {
    percent = Number(value);
    if (typeof value !== 'string' || !Number.isInteger(percent) || percent < 0 || percent > 1000)
      throw new CliError(2, `${name} needs a whole percent from 0 to 1000, got ${JSON.stringify(value)}`);
  }
  const givenToNode = [...nodeArgs, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) =>
    /^--heap[-_]growing[-_]percent(=|$)/.test(a),
  );
  return percent === 0 || givenToNode ? undefined : percent;
}

/**
 * Bounds how far V8 lets the heap grow past what its last full collection kept (undefined: V8's own
 * policy). A process that holds many contacts would otherwise grow to two to four times what is live
 * before collecting (README, "Memory"). V8 reads the flag each time it sets the next collection's limit,
 * so it holds from here on.
 */
export function boundHeapGrowth(percent: number | undefined): void {
  if (percent !== undefined) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * Logs why and exits with `code` at once, without the graceful stop: after the buffered log lines are
 * written, or within a second if they cannot be (a log that cannot flush does not keep the process up).
 */
export function exitAtOnce(log: Logger, code: number, fields: Record<string, unknown>, message: string): void {
  log.error(fields, message);
  setTimeout(() => process.exit(code), 1_000);
  void flushLogs(log).finally(() => process.exit(code));
}

/**
 * Waits for SIGTERM or SIGINT, then stops gracefully within the timeout and resolves with the exit code
 * (0). The drain delay applies to SIGTERM (an orchestrator), not to SIGINT (a person at a terminal). Past
 * the timeout, or at a second signal, the process exits with 1 at once; a handle left open after a clean
 * stop cannot hold it past the timeout either.
 */
export function stopOnSignal(plan: Omit<StopPlan, 'drainDelayMs'>, options: OperatingOptions): Promise<number> {
  const { log } = plan;
  const exitNow = (code: number, message: string) =>
    exitAtOnce(log, code, { timeoutMs: options.shutdownTimeoutMs }, message);
  return new Promise((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => exitNow(1, 'stopped at once by a second signal'));
      process.once('SIGTERM', () => exitNow(1, 'stopped at once by a second signal'));
      const started = Date.now();
      log.info(
        { signal, timeoutMs: options.shutdownTimeoutMs, drainDelayMs: signal === 'SIGTERM' ? options.drainDelayMs : 0 },
        'stopping',
      );
      const deadline = setTimeout(
        () => exitNow(1, 'did not stop within the shutdown timeout; exiting'),
        options.shutdownTimeoutMs,
      );
      stopGracefully({ ...plan, drainDelayMs: signal === 'SIGTERM' ? options.drainDelayMs : 0 }).then(
        async () => {
          clearTimeout(deadline);
          log.info({ ms: Date.now() - started }, 'stopped');
          await flushLogs(log);
          setTimeout(
            () => process.exit(EXIT.ok),
            Math.max(0, options.shutdownTimeoutMs - (Date.now() - started)),
          ).unref();
          done(EXIT.ok);
        },
        (err: unknown) => exitNow(1, `could not stop cleanly: ${(err as Error).message}`),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
