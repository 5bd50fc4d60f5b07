import { describe, expect, it } from 'vitest';
import { JourneyCatalog, MemoryStore, Runtime, VirtualClock, eventsOf } from '../src/internal.ts';
import { DAY, HOUR, T0, journey } from './helpers.ts';

/** Enters on a pricing view; hands nothing off, but exits "hot" when the contact viewed pricing 3 times in 7 days. */
const pricingCount = journey(
  [
    {
      id: 'count',
      type: 'branch',
      paths: [
        {
          label: '3 views',
          when: {
            event: 'Page Viewed',
            where: { field: 'event.properties.path', op: 'eq', value: '/pricing' },
            within: 'P7D',
            op: 'gte',
            value: 3,
          },
          next: 'hot',
        },
      ],
      otherwise: 'cold',
    },
    { id: 'hot', type: 'exit', outcome: 'hot' },
    { id: 'cold', type: 'exit', outcome: 'cold' },
  ],
  {
    id: 'pricing',
    trigger: { event: 'Page Viewed', when: { field: 'event.properties.path', op: 'eq', value: '/pricing' } },
  },
);

function world(options: { anonymousTtl?: string; messageWindow?: string } = {}) {
  const catalog = new JourneyCatalog();
  catalog.publish(pricingCount);
  const clock = new VirtualClock(T0);
  const store = new MemoryStore();
  const runtime = new Runtime({ store, clock, catalog, ...options });
  const view = (ids: { userId?: string; anonymousId?: string }, path = '/pricing') =>
    runtime.ingest({ type: 'track', ...ids, event: 'Page Viewed', properties: { path } });
  const at = async (ms: number) => {
    clock.set(ms);
    await runtime.advance(ms);
  };
  return { clock, store, runtime, view, at };
}

describe('anonymous visitors and identity merge (SPEC §7)', () => {
  it('keeps anonymous calls on a profile that enters no journey', async () => {
    const w = world();
    await w.view({ anonymousId: 'anon-1' });
    await w.runtime.ingest({ type: 'identify', anonymousId: 'anon-1', traits: { plan: 'trial' } });
    const profile = (await w.store.load('anon-1'))!;
    expect(profile.contact).toMatchObject({ anonymous: true, traits: { plan: 'trial' } });
    expect(eventsOf(profile.contact).map((e) => e.name)).toEqual(['Page Viewed', 'Contact Updated']);
    expect(profile.instances).toEqual([]);
  });

  it('joins the anonymous views to the contact in time order, fills missing traits, triggers nothing retroactively, and counts them in conditions', async () => {
    const w = world();
    await w.runtime.ingest({ type: 'identify', userId: 'jane@example.com', traits: { plan: 'pro' } });
    await w.at(T0 + HOUR);
    await w.view({ anonymousId: 'anon-1' });
    await w.runtime.ingest({ type: 'identify', anonymousId: 'anon-1', traits: { plan: 'trial', company: 'Acme' } });
    await w.at(T0 + 2 * HOUR);
    await w.view({ anonymousId: 'anon-1' });
    await w.at(T0 + 3 * HOUR);
    // identify with both ids links them: the profile's events become history, and no journey is entered for them.
    await w.runtime.ingest({ type: 'identify', userId: 'jane@example.com', anonymousId: 'anon-1', traits: {} });
    const jane = (await w.store.load('jane@example.com'))!;
    expect(eventsOf(jane.contact).map((e) => [e.name, e.at - T0])).toEqual([
      ['Contact Updated', 0],
      ['Page Viewed', HOUR],
      ['Contact Updated', HOUR],
      ['Page Viewed', 2 * HOUR],
      ['Contact Updated', 3 * HOUR],
    ]);
    expect(jane.contact.traits).toEqual({ plan: 'pro', company: 'Acme' });
    expect(jane.instances).toEqual([]);
    // The profile now points at the contact; an anonymous-only call lands on jane and counts the earlier views.
    expect((await w.store.load('anon-1'))!.contact).toMatchObject({
      anonymous: true,
      linkedTo: 'jane@example.com',
      traits: {},
    });
    await w.view({ anonymousId: 'anon-1' });
    expect((await w.store.load('jane@example.com'))!.instances).toEqual([
      expect.objectContaining({ journeyId: 'pricing', outcome: 'hot', path: ['count', 'hot'] }),
    ]);
    // Linking again changes nothing.
    await w.runtime.link('anon-1', 'jane@example.com');
    expect(
      eventsOf((await w.store.load('jane@example.com'))!.contact).filter((e) => e.name === 'Page Viewed'),
    ).toHaveLength(3);
  });

  it('without the merge the same visitor counts one view and goes cold', async () => {
    const w = world();
    await w.view({ anonymousId: 'anon-2' });
    await w.view({ anonymousId: 'anon-3' });
    await w.view({ userId: 'bo' });
    expect((await w.store.load('bo'))!.instances[0]).toMatchObject({ outcome: 'cold' });
  });

  it('forgets a profile never linked after 30 days unseen (configurable), and a linked one points on until then', async () => {
    const w = world();
    await w.view({ anonymousId: 'gone' });
    await w.at(T0 + 20 * DAY);
    await w.view({ anonymousId: 'gone' }); // seen again: the 30 days start over
    await w.at(T0 + 49 * DAY);
    expect(await w.store.load('gone')).toBeDefined();
    await w.at(T0 + 51 * DAY);
    expect(await w.store.load('gone')).toBeUndefined();
    expect(await w.store.nextDueAt()).toBeNull();

    const short = world({ anonymousTtl: 'P1D' });
    await short.view({ anonymousId: 'a' });
    await short.runtime.link('a', 'u1');
    await short.at(T0 + 2 * DAY);
    expect(await short.store.load('a')).toBeUndefined();
    expect(eventsOf((await short.store.load('u1'))!.contact)).toHaveLength(1);
  });

  it('makes an id that was an anonymous profile a known contact when it comes as a userId', async () => {
    const w = world();
    await w.view({ anonymousId: 'same' });
    await w.view({ userId: 'same' });
    const state = (await w.store.load('same'))!;
    expect(state.contact.anonymous).toBeUndefined();
    expect(state.timers.filter((t) => t.timer === 'forget')).toEqual([]);
    expect(state.instances).toHaveLength(1);
  });
});

describe('messageIds are remembered for a window, then forgotten (SPEC §7)', () => {
  it('refuses a repeat inside 7 days and applies it again once the window has passed', async () => {
    const w = world();
    const send = () => w.runtime.ingest({ type: 'track', userId: 'c1', event: 'Clicked', messageId: 'm-1' });
    expect((await send()).status).toBe('applied');
    w.clock.set(T0 + 6 * DAY);
    await w.runtime.forgetMessages();
    expect((await send()).status).toBe('duplicate');
    w.clock.set(T0 + 7 * DAY + 1);
    await w.runtime.forgetMessages();
    expect(await w.store.hasMessage('m-1')).toBe(false);
    expect((await send()).status).toBe('applied');
    const shorter = world({ messageWindow: 'PT1H' });
    await shorter.runtime.ingest({ type: 'track', userId: 'c1', event: 'Clicked', messageId: 'm-2' });
    shorter.clock.set(T0 + 2 * HOUR);
    await shorter.runtime.forgetMessages();
    expect(await shorter.store.hasMessage('m-2')).toBe(false);
  });
});
