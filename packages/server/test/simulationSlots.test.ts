import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BatonError } from '@baton/engine';
import { SimulationSlots, simulateSyntheticJson } from '../src/simulation/threads.ts';
import { testServer } from './harness.ts';

/** A job that runs until `finish` is called. */
function held() {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { job: () => done, finish, fail };
}

const welcome = {
  schema: 'baton.journey/v1',
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'Signed Up' },
  start: 'hello',
  nodes: [
    { id: 'hello', type: 'action', action: 'email', params: { subject: 'Hi' }, next: 'wait' },
    { id: 'wait', type: 'wait', duration: 'P1D', next: 'done' },
    { id: 'done', type: 'exit', outcome: 'welcomed' },
  ],
};

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('population simulation slots', () => {
  it('runs as many as it has slots, then starts the waiting ones in the order they came', async () => {
    const slots = new SimulationSlots(2, 5);
    const started: number[] = [];
    const jobs = [0, 1, 2, 3].map(() => held());
    const runs = jobs.map((j, i) =>
      slots.run(() => {
        started.push(i);
        return j.job();
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    jobs[1]!.finish();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    jobs[0]!.finish();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const j of jobs) j.finish();
    await Promise.all(runs);
  });

  it('refuses a run when the line is full, naming why, and starts nothing for it', async () => {
    const slots = new SimulationSlots(1, 1);
    const first = held();
    const running = slots.run(first.job);
    const waiting = slots.run(async () => 'second');
    let third = false;
    const refused = slots.run(async () => {
      third = true;
    });
    await expect(refused).rejects.toThrow(BatonError);
    await expect(refused).rejects.toMatchObject({ code: 'simulations_busy' });
    await expect(refused).rejects.toThrow(/1 population simulation is running and 1 more waiting/);
    first.finish();
    await running;
    expect(await waiting).toBe('second');
    expect(third).toBe(false);
    // The slots are free again: a run now starts at once.
    expect(await slots.run(async () => 'again')).toBe('again');
  });

  it('lets a waiting request whose client went away leave the line, and frees a slot when a run fails', async () => {
    const slots = new SimulationSlots(1, 2);
    const first = held();
    const running = slots.run(first.job);
    const gone = new AbortController();
    let goneStarted = false;
    const left = slots.run(async () => {
      goneStarted = true;
    }, gone.signal);
    const next = held();
    let nextStarted = false;
    const after = slots.run(() => {
      nextStarted = true;
      return next.job();
    });
    gone.abort(new Error('client closed'));
    await expect(left).rejects.toThrow('client closed');
    first.fail(new Error('the run failed'));
    await expect(running).rejects.toThrow('the run failed');
    await tick();
    expect(goneStarted).toBe(false);
    expect(nextStarted).toBe(true);
    next.finish();
    await after;
    // Nothing is held: two runs in a row each start at once.
    expect(await slots.run(async () => 1)).toBe(1);
    expect(await slots.run(async () => 2)).toBe(2);
  });

  it("stops a population's worker thread when its client goes away", async () => {
    const stop = new AbortController();
    // 100k contacts take seconds: without the stop the run would answer with its report.
    const run = simulateSyntheticJson({ journeys: [welcome], contacts: 100_000, seed: 1 }, stop.signal);
    setTimeout(() => stop.abort(new Error('client closed')), 200);
    await expect(run).rejects.toThrow('client closed');
  });

  it('answers 503 simulations_busy over the API once every slot and place in line is taken', async () => {
    const server = await testServer();
    // As many requests as this machine's slots and line take, and one more.
    const taken = Math.max(1, availableParallelism() - 1) + 8;
    const answers = await Promise.all(
      Array.from({ length: taken + 1 }, () =>
        server.call(server.adminToken, 'POST', '/api/simulations', { journeys: [welcome], contacts: 1_000 }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(taken);
    const refused = answers.find((a) => a.status === 503)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('simulations_busy');
    await server.close();
  });
});
