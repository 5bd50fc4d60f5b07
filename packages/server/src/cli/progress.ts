import type { CliIO } from './io.ts';

/**
 * A progress bar on stderr that only appears once a run has taken more than a second, and only when
 * stderr is a terminal: in a log or a pipe, carriage returns are noise.
 */
export function progressBar(io: CliIO, label: string) {
  if (!io.stderrIsTTY) return { update: () => {}, done: () => {} };
  const started = performance.now();
  let last = 0;
  let shown = false;
  return {
    update: (done: number, total: number) => {
      const now = performance.now();
      if (now - started < 1000 || now - last < 500) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      io.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} events`);
    },
    done: () => {
      if (shown) io.stderr('\n');
    },
  };
}
