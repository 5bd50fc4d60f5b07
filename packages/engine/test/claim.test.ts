import { describe, expect, it } from 'vitest';
import { BatonError, JourneyCatalog, MemoryStore, Runtime, Team, VirtualClock } from '../src/internal.ts';
import { T0, journey } from './helpers.ts';

const team = Team.parse({
  reps: [
    { id: 'ana', name: 'Ana', team: 'sales', capacity: 0 },
    { id: 'bo', name: 'Bo', team: 'sales', capacity: 0 },
  ],
  queues: [{ id: 'q', members: ['ana', 'bo'], strategy: 'round_robin' }],
});

/** A runtime whose one handoff waits unassigned in queue q (both its reps are full). */
async function waitingHandoff() {
  const catalog = new JourneyCatalog();
  catalog.publish(
    journey([
      {
        id: 'h',
        type: 'handoff',
        team: 'sales',
        record: 'task',
        route: [{ to: { queue: 'q' } }],
        outcomes: { done: 'x' },
      },
      { id: 'x', type: 'exit', outcome: 'done' },
    ]),
    team,
  );
  const store = new MemoryStore();
  const runtime = new Runtime({ store, clock: new VirtualClock(T0), catalog, team });
  await runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up' });
  const [h] = await store.openHandoffs();
  expect(h).toMatchObject({ assignee: null, queue: 'q' });
  return { runtime, store, id: h!.id };
}

describe('a rep claiming unassigned work', () => {
  it('of two reps claiming at once, one gets it and the other is refused: a claim never takes assigned work', async () => {
    const { runtime, store, id } = await waitingHandoff();
    const claims = await Promise.allSettled(
      ['ana', 'bo'].map((rep) => runtime.reassign({ handoff: id, to: rep, by: rep, claim: true })),
    );
    expect(claims.map((c) => c.status)).toEqual(['fulfilled', 'rejected']);
    const refused = (claims[1] as PromiseRejectedResult).reason as BatonError;
    expect(refused).toBeInstanceOf(BatonError);
    expect(refused).toMatchObject({ code: 'conflict', message: `handoff ${id} is already assigned to someone else` });
    expect(await store.handoff(id)).toMatchObject({ assignee: 'ana' });
  });

  it('an admin may still move assigned work (a reassign that is not a claim)', async () => {
    const { runtime, store, id } = await waitingHandoff();
    await runtime.reassign({ handoff: id, to: 'ana', by: 'ana', claim: true });
    await runtime.reassign({ handoff: id, to: 'bo', by: 'admin' });
    expect(await store.handoff(id)).toMatchObject({ assignee: 'bo' });
  });
});
