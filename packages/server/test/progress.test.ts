import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from '../src/cli/progress.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A run that has gone on for `ms`: the bar reads performance.now(), which is moved forward here. */
function runFor(stderrIsTTY: boolean) {
  let now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  const written: string[] = [];
  const bar = progressBar({ stdout: () => {}, stderr: (t) => written.push(t), cwd: '.', stderrIsTTY }, 'simulating');
  now = 5_000;
  bar.update(10, 100);
  bar.done();
  return written.join('');
}

describe('the progress bar of long simulations', () => {
  it('draws on a terminal once a run has gone on for a second', () => {
    expect(runFor(true)).toBe('\rsimulating [###...........................] 10/100 events\n');
  });

  it('writes nothing when stderr is not a terminal (a log, a pipe, CI)', () => {
    expect(runFor(false)).toBe('');
  });
});
