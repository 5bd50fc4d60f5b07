import { describe, expect, it } from 'vitest';
import { JourneyCatalog, MemoryStore, Runtime, Team, VirtualClock } from '../src/internal.ts';
import { HOUR, T0, journey } from './helpers.ts';

/**
 * Ana takes one handoff at a time in queue q; an SLA breach escalates to queue managers, whose only
 * member is away. So a breach leaves its handoff waiting for the managers and frees Ana.
 */
const team = Team.parse({
  reps: [
    { id: 'ana', name: 'Ana', team: 'sales', capacity: 1 },
    { id: 'max', name: 'Max', team: 'sales', active: false },
  ],
  queues: [
    { id: 'q', members: ['ana'], strategy: 'round_robin' },
    { id: 'managers', members: ['max'], strategy: 'round_robin' },
  ],
});

async function world() {
  const catalog = new JourneyCatalog();
  catalog.publish(
    journey([
      {
        id: 'h',
        type: 'handoff',
        team: 'sales',
        record: 'task',
        route: [{ to: { queue: 'q' } }],
        sla: { firstTouch: 'PT1H', escalate: { queue: 'managers' } },
        outcomes: { done: 'x' },
      },
      { id: 'x', type: 'exit', outcome: 'done' },
    ]),
    team,
  );
  const store = new MemoryStore();
  const clock = new VirtualClock(T0);
  const runtime = new Runtime({ store, clock, catalog, team });
  return { store, clock, runtime };
}

describe('a rep freed by a step', () => {
  it('takes the waiting work at once when an SLA breach leaves their handoff waiting for an escalation', async () => {
    const { store, clock, runtime } = await world();
    await runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up' });
    clock.set(T0 + 60_000);
    await runtime.ingest({ type: 'track', userId: 'c2', event: 'Signed Up' });
    const holding = async (contactId: string) => (await store.load(contactId))!.handoffs[0]!;
    expect(await holding('c1')).toMatchObject({ assignee: 'ana' });
    expect(await holding('c2')).toMatchObject({ assignee: null, queue: 'q' }); // Ana is full
    // c1's SLA breaches; the managers are away, so it waits for them, and Ana is free: c2's is hers now.
    clock.set(T0 + HOUR);
    await runtime.advance();
    expect(await holding('c1')).toMatchObject({ assignee: null, queue: 'managers', breached: true });
    expect(await holding('c2')).toMatchObject({ assignee: 'ana', assignedAt: T0 + HOUR });
  });
});
