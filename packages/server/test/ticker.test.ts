import { describe, expect, it } from 'vitest';
import { Ticker } from '../src/host/ticker.ts';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('a ticker (the scheduler and the webhook sender run on one)', () => {
  it('runs the task again after a run that failed, and says how many failed in a row', async () => {
    let calls = 0;
    const ticker = new Ticker(
      'test',
      async () => {
        calls++;
        if (calls <= 2) throw new Error(`down ${calls}`);
      },
      60_000,
      () => undefined,
    );
    await expect(ticker.tick()).rejects.toThrow('down 1');
    await expect(ticker.tick()).rejects.toThrow('down 2');
    expect(ticker.failing).toEqual({ count: 2, last: new Error('down 2') });
    await ticker.tick();
    expect(calls).toBe(3);
    expect(ticker.failing.count).toBe(0);
  });

  it('does not pile runs up behind one that hangs', async () => {
    let calls = 0;
    let hang = true;
    let release!: () => void;
    const ticker = new Ticker(
      'test',
      () => {
        calls++;
        return hang ? new Promise<void>((done) => (release = done)) : Promise.resolve();
      },
      5,
    );
    ticker.start();
    await sleep(100);
    expect(calls).toBe(1); // twenty intervals came and went while the first run hung
    hang = false;
    release();
    await sleep(1);
    expect(calls).toBeLessThanOrEqual(3); // not the twenty runs those intervals would have queued
    await sleep(50);
    ticker.stop();
    await ticker.idle();
    expect(calls).toBeGreaterThan(1); // and it goes on once the run ends
  });
});
