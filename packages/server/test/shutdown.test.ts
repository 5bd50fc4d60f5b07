import { afterAll, describe, expect, it } from 'vitest';
import { killAllBatons, startBaton, within } from './batonProcess.ts';
import { freshDir } from './harness.ts';
import { contactOf, expectCleanLogs, keepSending, openStream, send, until } from './shutdown.ts';

afterAll(killAllBatons);

/** The bound a stop must keep (the default --shutdown-timeout), and a margin for the process to end. */
const BOUND_MS = 10_000;

describe('baton serve stops gracefully on SIGTERM', () => {
  it('with a stream open and events in flight: not ready while draining, exit 0 within the bound, every acknowledged event kept', async () => {
    const data = freshDir();
    const b = await startBaton(data, {}, 30_000, ['--drain-delay', '2']);
    const stream = await openStream(b);
    const traffic = keepSending(b, 6, 'sd');
    await until(10_000, 'events acknowledged before the stop', async () => traffic.acked.length >= 50);

    const signalled = Date.now();
    b.signal('SIGTERM');
    // Draining: not ready, still alive, still taking events.
    await until(2_000, '/readyz answering 503 while draining', async () => {
      const res = await fetch(`${b.url}/readyz`);
      return res.status === 503 && ((await res.json()) as { status: string }).status === 'draining';
    });
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    const { code, signal } = await within(BOUND_MS + 2_000, 'baton serve exiting after SIGTERM', b.exited);
    const took = Date.now() - signalled;
    await traffic.stop();

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(BOUND_MS);
    expect(await stream.ended).toBe('ended'); // ended by the server, not cut
    expect(traffic.acked.length).toBeGreaterThan(50);

    // Every event acknowledged before the stop was kept: sent again, each is a duplicate.
    const again = await startBaton(data);
    const answers = await Promise.all(traffic.acked.map((id) => send(again, id, contactOf(id))));
    expect(answers.filter((a) => a !== 'duplicate')).toEqual([]);

    const logged = expectCleanLogs(b, [b.adminToken, b.writeKey]);
    expect(logged.filter((l) => l.msg === 'request').length).toBeGreaterThan(traffic.acked.length);
    expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    await again.stop();
    expectCleanLogs(again, [again.adminToken, again.writeKey]);
  });

  it('ends a stream and stops at once on SIGINT, however long the stream would stay open', async () => {
    const b = await startBaton(freshDir());
    const stream = await openStream(b);
    const signalled = Date.now();
    b.signal('SIGINT');
    expect(await within(BOUND_MS, 'baton serve exiting after SIGINT', b.exited)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(2_000);
    expect(await stream.ended).toBe('ended');
  });
});
