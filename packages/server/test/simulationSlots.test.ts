import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatonError } from '@baton/engine';
import { SimulationSlots, simulateSyntheticJson } from '../src/simulation/threads.ts';
import { testServer, welcome as welcomeJourney } from './harness.ts';

const welcome = welcomeJourney('Hi');

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
    const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
    const before = threads();
    const stop = new AbortController();
    // 100k contacts take seconds: without the stop the run would answer with its report.
    const run = simulateSyntheticJson({ journeys: [welcome], contacts: 100_000, seed: 1 }, stop.signal);
    await new Promise((r) => setTimeout(r, 200));
    expect(threads()).toBeGreaterThan(before);
    stop.abort(new Error('client closed'));
    await expect(run).rejects.toThrow('client closed');
    // The run is over once its thread is: the slot it frees is not taken while that thread still runs.
    expect(threads()).toBe(before);
  });

  it('refuses a request already gone, and frees the slot of a job that throws at once', async () => {
    const slots = new SimulationSlots(1, 1);
    let ran = false;
    const gone = AbortSignal.abort(new Error('client closed'));
    await expect(
      slots.run(async () => {
        ran = true;
      }, gone),
    ).rejects.toThrow('client closed');
    expect(ran).toBe(false);
    await expect(
      slots.run(() => {
        throw new Error('no worker');
      }),
    ).rejects.toThrow('no worker');
    expect(await slots.run(async () => 'free')).toBe('free');
    // A size below one is one: a line with no slot would never move.
    expect(new SimulationSlots(0, 1).size).toBe(1);
  });

  it('refuses those in line and new ones once the server stops, and lets the running one finish', async () => {
    const slots = new SimulationSlots(1, 4);
    const first = held();
    const running = slots.run(first.job);
    const waiting = slots.run(async () => 'never');
    slots.close();
    await expect(waiting).rejects.toMatchObject({ code: 'simulations_busy' });
    await expect(waiting).rejects.toThrow(/this server is stopping/);
    await expect(slots.run(async () => 'never')).rejects.toThrow(/this server is stopping/);
    first.finish();
    await expect(running).resolves.toBeUndefined();
  });

  it('answers 503 simulations_busy over the API once every slot and place in line is taken', async () => {
    const server = await testServer({ simulationSlots: 1 });
    // One running, 8 in line, and one more.
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        server.call(server.adminToken, 'POST', '/api/simulations', { journeys: [welcome], contacts: 1_000 }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(9);
    const refused = answers.find((a) => a.status === 503)!;
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('simulations_busy');
    await server.close();
  });

  it('answers 499 to a request whose client went away, and refuses the line as the server drains', async () => {
    const server = await testServer({ simulationSlots: 1 });
    const post = (contacts: number, signal?: AbortSignal) =>
      server.app.request('/api/simulations', {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ journeys: [welcome], contacts }),
        ...(signal ? { signal } : {}),
      });
    const gone = new AbortController();
    const cancelled = post(30_000, gone.signal);
    await new Promise((r) => setTimeout(r, 100));
    gone.abort(new Error('client closed'));
    expect((await cancelled).status).toBe(499);
    const running = post(20_000);
    await new Promise((r) => setTimeout(r, 100));
    const waiting = post(1_000);
    await new Promise((r) => setTimeout(r, 50));
    server.drain();
    const refused = await waiting;
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/stopping/);
    expect((await running).status).toBe(200);
    await server.close();
  });
});
