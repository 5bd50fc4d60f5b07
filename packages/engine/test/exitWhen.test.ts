import { describe, expect, it } from 'vitest';
import { JourneyCatalog, MemoryStore, Runtime, Team, VirtualClock } from '../src/internal.ts';
import { DAY, T0, journey } from './helpers.ts';

const team = { reps: [{ id: 'ana', name: 'Ana' }], queues: [{ id: 'ae', members: ['ana'] }] };
const becameCustomer = [
  { when: { field: 'contact.lifecycle', op: 'eq', value: 'customer' }, outcome: 'became_customer' },
];

function world(journeys: unknown[]) {
  const catalog = new JourneyCatalog();
  for (const j of journeys) catalog.publish(j, team);
  const clock = new VirtualClock(T0);
  const store = new MemoryStore();
  const runtime = new Runtime({ store, clock, catalog, team: Team.parse(team) });
  const at = async (ms: number) => {
    for (let next = await store.nextDueAt(); next !== null && next <= ms; next = await store.nextDueAt()) {
      clock.set(next);
      await runtime.advance(next);
    }
    clock.set(ms);
  };
  const track = (event: string, properties: Record<string, unknown> = {}) =>
    runtime.ingest({ type: 'track', userId: 'c1', event, properties });
  const instance = async (journeyId: string) =>
    (await store.load('c1'))!.instances.find((i) => i.journeyId === journeyId)!;
  return { runtime, store, at, track, instance };
}

describe('exitWhen', () => {
  it('ends a journey paused while a human is engaged when the contact becomes a customer, and sends nothing after', async () => {
    const sales = journey(
      [
        {
          id: 'h',
          type: 'handoff',
          team: 'sales',
          record: 'lead',
          route: [{ to: { queue: 'ae' } }],
          outcomes: { won: 'won' },
        },
        { id: 'won', type: 'exit', outcome: 'converted' },
      ],
      { id: 'sales', trigger: { event: 'Demo Requested' } },
    );
    const news = journey(
      [
        { id: 'mail1', type: 'action', action: 'email', params: { template: 'n1' }, next: 'wait' },
        { id: 'wait', type: 'wait', duration: 'P1D', next: 'mail2' },
        { id: 'mail2', type: 'action', action: 'email', params: { template: 'n2' }, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'completed' },
      ],
      { id: 'news', trigger: { event: 'Signed Up' }, whileHumanEngaged: 'pause', exitWhen: becameCustomer },
    );
    const w = world([sales, news]);
    await w.track('Signed Up');
    await w.track('Demo Requested');
    await w.at(T0 + 2 * DAY); // the wait falls due while the handoff is open: held
    expect(await w.instance('news')).toMatchObject({ status: 'paused', node: 'wait' });

    await w.runtime.ingest({ type: 'identify', userId: 'c1', traits: { lifecycle: 'customer' } });
    expect(await w.instance('news')).toMatchObject({
      status: 'exited',
      outcome: 'became_customer',
      exitedAt: T0 + 2 * DAY,
      path: ['mail1', 'wait'],
    });

    // The human closes the handoff: the held wait does not fire, so the second email never goes out.
    await w.runtime.logOutcome({ userId: 'c1', journey: 'sales', node: 'h', outcome: 'won' });
    expect((await w.instance('news')).messages.map((m) => m.node)).toEqual(['mail1']);
    expect((await w.store.load('c1'))!.timers).toEqual([]);
  });

  it('exits on an event that meets exitWhen rather than moving the pause that awaits it', async () => {
    const upsell = journey(
      [
        { id: 'ask', type: 'pause', until: { event: 'Subscription Changed' }, next: 'offer' },
        { id: 'offer', type: 'action', action: 'email', params: { template: 'upgrade' }, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'offered' },
      ],
      {
        id: 'upsell',
        exitWhen: [{ when: { field: 'event.properties.plan', op: 'eq', value: 'cancelled' }, outcome: 'cancelled' }],
      },
    );
    const w = world([upsell]);
    await w.track('Signed Up');
    await w.track('Subscription Changed', { plan: 'cancelled' });
    expect(await w.instance('upsell')).toMatchObject({
      status: 'exited',
      outcome: 'cancelled',
      path: ['ask'],
      messages: [],
    });
  });
});
