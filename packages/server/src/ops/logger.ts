import { pino, type Logger } from 'pino';

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

/**
 * One JSON object per line (pino): `level`, `time` (ISO), `pid`, `hostname`, `msg` and the line's fields.
 * Writes are asynchronous; `flushLogs` writes what is buffered before the process exits.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    typeof options.destination === 'object'
      ? options.destination
      : pino.destination({ dest: options.destination ?? 2, sync: false });
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
