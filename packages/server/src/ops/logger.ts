import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Fields that may hold a secret, censored wherever they appear one or two levels down. Baton logs none of
 * them on purpose (no headers, no bodies, no query strings); this is the net under that rule.
 */
const SECRET_PATHS = ['token', 'adminToken', 'writeKey', 'secret', 'authorization', 'password', 'access_token'].flatMap(
  (k) => [k, `*.${k}`],
);

/** Where the logs go and from which level (`BATON_LOG_LEVEL`: fatal, error, warn, info, debug, trace or silent). */
export interface LoggerOptions {
  level?: string | undefined;
  /** A file descriptor (default 2, stderr: stdout carries the start banner) or a stream (tests). */
  destination?: number | NodeJS.WritableStream;
}

/** How much a descriptor's log buffers before writing it, and how long a line may wait in a quiet moment. */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_MS = 1000;

/**
 * One JSON object per line (pino): `level`, `time` (ISO), `pid`, `hostname`, `msg` and the line's fields.
 * Writes are asynchronous and buffered: to a descriptor, lines go out 4 KB at a time, or within a second
 * when fewer come (a write per request line was 3% of a tracked event's CPU). `flushLogs` writes what is
 * buffered before the process exits; a process killed outright loses at most that last second of lines.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  let destination: NodeJS.WritableStream | DestinationStream;
  if (typeof options.destination === 'object') destination = options.destination;
  else {
    const boom = pino.destination({ dest: options.destination ?? 2, sync: false, minLength: LOG_BUFFER_BYTES });
    setInterval(() => boom.flush(() => undefined), LOG_FLUSH_MS).unref();
    destination = boom;
  }
  return pino(
    {
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

let shared: Logger | null = null;

/** The logger of a server opened without one (tests, embedders): errors only, to stderr, one for all. */
export const errorLogger = (): Logger => (shared ??= createLogger({ level: 'error' }));

/** Writes out what the logger still buffers (before exiting). */
export function flushLogs(log: Logger): Promise<void> {
  return new Promise((done) => log.flush(() => done()));
}
