import { BatonError, isIsoDuration } from '@baton/engine/internal';
import { startingApp } from '../../app/routes/ops.ts';
import { openServer } from '../../host/openServer.ts';
import { listen, type Listener } from '../../host/service.ts';
import { Lifecycle } from '../../ops/lifecycle.ts';
import { createLogger } from '../../ops/logger.ts';
import { Metrics } from '../../ops/metrics.ts';
import { boundHeapGrowth, exitAtOnce, operatingOptions, stopOnSignal } from '../operating.ts';
import { CliError, storageOf, type CliIO } from '../io.ts';
import type { Command } from '../command.ts';

/** A duration flag: an ISO 8601 duration, or misuse (exit 2) naming the flag. */
function durationFlag(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isIsoDuration(value))
    throw new CliError(2, `--${name} needs an ISO 8601 duration such as P7D or PT12H, got ${JSON.stringify(value)}`);
  return value;
}

/** The intake's options from the command line: browser origins (comma-separated), the messageId window, the anonymous profiles' lifetime. */
function intakeOptions(values: Record<string, unknown>) {
  const origins =
    typeof values['cors-origins'] === 'string'
      ? values['cors-origins']
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== '')
      : undefined;
  return {
    corsOrigins: origins,
    messageWindow: durationFlag(values, 'message-window'),
    anonymousTtl: durationFlag(values, 'anonymous-ttl'),
    eventRetention: durationFlag(values, 'event-retention'),
  };
}

/**
 * `baton serve [--port 3000] [--data ./data | --database postgres://…] [--host 127.0.0.1]`: the designer,
 * the inbox, event intake and the API on one port; data kept by lowdb in --data, or in PostgreSQL.
 */
export const serveCommand: Command = {
  name: 'serve',
  usage:
    'baton serve [--port 3000] [--data ./data | --database postgres://USER@HOST:PORT/DB] [--host 127.0.0.1] [--cors-origins https://a.example,https://b.example] [--message-window P7D] [--anonymous-ttl P30D] [--event-retention P30D] [--shutdown-timeout 10] [--drain-delay 0] [--metrics token|open] [--log-level info] [--heap-growth 40] [--simulation-slots N]',
  summary:
    'run Baton: the designer, event intake and the API on one port; data kept by lowdb in --data, or in PostgreSQL with --database (or BATON_DATABASE_URL), where several processes may serve one database',
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    database: { type: 'string' },
    host: { type: 'string' },
    'cors-origins': { type: 'string' },
    'message-window': { type: 'string' },
    'anonymous-ttl': { type: 'string' },
    'event-retention': { type: 'string' },
    'shutdown-timeout': { type: 'string' },
    'drain-delay': { type: 'string' },
    metrics: { type: 'string' },
    'log-level': { type: 'string' },
    'heap-growth': { type: 'string' },
    'simulation-slots': { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run(io: CliIO, args) {
    const port = Number(args.values.port ?? 3000);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError(2, `--port needs a port number, got ${JSON.stringify(args.values.port)}`);
    const host = typeof args.values.host === 'string' ? args.values.host : '127.0.0.1';
    const storage = storageOf(io, args.values);
    const intake = intakeOptions(args.values);
    const operating = operatingOptions(args.values);
    boundHeapGrowth(operating.heapGrowthPercent);
    // Logs go to stderr, one JSON object a line; stdout carries the start banner.
    const log = createLogger({ level: operating.logLevel });
    const lifecycle = new Lifecycle();
    // Listening first: while the storage opens, /healthz answers and /readyz says "starting".
    const listener = await listen(startingApp(lifecycle, log).fetch, port, host).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(
        1,
        err.code === 'EADDRINUSE' ? `port ${port} is already in use; give another with --port` : err.message,
      );
    });
    let server: Awaited<ReturnType<typeof openServer>>;
    try {
      server = await openServer({
        ...storage,
        // Another container or host took the data directory (it judged this process dead): not one more
        // write, so no graceful stop either; a supervisor restarts this process, which then waits its turn.
        ...('data' in storage
          ? {
              onLockLost: (err: Error) => exitAtOnce(log, 1, { err }, 'lost the data directory; stopping at once'),
            }
          : {}),
        ...intake,
        ...(operating.simulationSlots === undefined ? {} : { simulationSlots: operating.simulationSlots }),
        ops: { log, lifecycle, metrics: new Metrics().withProcessMetrics(), metricsAccess: operating.metrics },
      });
    } catch (err) {
      await closeListener(listener);
      if (err instanceof BatonError) throw new CliError(1, err.message);
      throw err;
    }
    listener.use(server.app.fetch);
    const { config, seeded } = server;
    const actualPort = listener.port;
    const base = `http://${host}:${actualPort}`;
    const designer = server.deps.designerDir ? '' : '   (not built: run pnpm install)';
    // The admin token is shown once, on the first start: service logs keep what a server prints.
    const signIn = seeded
      ? [
          `  designer:    ${base}/#token=${config.data.adminToken}${designer}`,
          `  admin token: ${config.data.adminToken}   (API: -H 'authorization: Bearer ${config.data.adminToken}'; shown on this first start only)`,
        ]
      : [
          `  designer:    ${base}/${designer}   (a sign-in link: baton signin ${'database' in storage ? '--database URL' : `--data ${storage.data}`} --port ${actualPort})`,
        ];
    io.stdout(
      [
        `Baton is running at ${base}`,
        ...signIn,
        `  data:        ${server.where}${seeded ? ' (first start: seeded with the example journeys and a demo team)' : ''}`,
        `  write key:   ${config.data.writeKey}   (events: curl -u ${config.data.writeKey}: ${base}/v1/track ...)`,
        `  API:         ${base}/api/reference`,
        '',
      ].join('\n'),
    );
    log.info(
      { port: actualPort, data: server.where, heapGrowthPercent: operating.heapGrowthPercent ?? null },
      'started',
    );
    return stopOnSignal({ listener, server, inFlight: server.ops.inFlight, log }, operating);
  },
};

/** Closes a listener that never served the app (the storage could not be opened). */
async function closeListener(listener: Listener): Promise<void> {
  listener.stopAccepting();
  listener.closeAll();
  await listener.closed;
}
