import { describe, expect, it } from 'vitest';
import {
  InputInvalidError,
  JourneyCatalog,
  MemoryStore,
  Runtime,
  VirtualClock,
  Workspace,
  eventsOf,
  formatInstant,
} from '../src/internal.ts';
import { DAY, HOUR, T0, journey } from './helpers.ts';

const exit = (id = 'done', outcome = 'completed') => ({ id, type: 'exit', outcome });

function world(journeys: unknown[], workspace: unknown = {}) {
  const catalog = new JourneyCatalog();
  for (const j of journeys) catalog.publish(j);
  const clock = new VirtualClock(T0);
  const store = new MemoryStore();
  const runtime = new Runtime({ store, clock, catalog, workspace: Workspace.parse(workspace) });
  const track = (userId: string, event: string, properties: Record<string, unknown> = {}, messageId?: string) =>
    runtime.ingest({ type: 'track', userId, event, properties, ...(messageId ? { messageId } : {}) });
  const at = async (ms: number) => {
    clock.set(ms);
    await runtime.advance(ms);
  };
  const instance = async (contactId: string, journeyId = 'j') =>
    (await store.load(contactId))?.instances.find((i) => i.journeyId === journeyId);
  return { catalog, clock, store, runtime, track, at, instance };
}

describe('waiting', () => {
  it('holds a contact for the wait and moves on at the exact due instant', async () => {
    const w = world([
      journey([
        { id: 'wait', type: 'wait', duration: 'P2D', next: 'mail' },
        { id: 'mail', type: 'action', action: 'email', params: { template: 't' }, next: 'done' },
        exit(),
      ]),
    ]);
    await w.track('c1', 'Signed Up');
    expect((await w.instance('c1'))?.node).toBe('wait');
    await w.at(T0 + 5 * DAY);
    const inst = await w.instance('c1');
    expect(inst?.status).toBe('exited');
    expect(inst?.messages).toEqual([{ node: 'mail', action: 'email', at: T0 + 2 * DAY, suppressed: false }]);
  });

  it('resumes a pause on the awaited event when where holds, and not otherwise', async () => {
    const w = world([
      journey([
        {
          id: 'ask',
          type: 'pause',
          until: { event: 'Form Submitted', where: { field: 'event.properties.form', op: 'eq', value: 'demo' } },
          timeout: 'P3D',
          next: 'yes',
          onTimeout: 'no',
        },
        exit('yes', 'replied'),
        exit('no', 'timed_out'),
      ]),
    ]);
    await w.track('c1', 'Signed Up');
    await w.track('c1', 'Form Submitted', { form: 'newsletter' });
    expect((await w.instance('c1'))?.node).toBe('ask');
    await w.track('c1', 'Form Submitted', { form: 'demo' });
    expect(await w.instance('c1')).toMatchObject({ status: 'exited', outcome: 'replied', path: ['ask', 'yes'] });
    // Its timeout timer went with it.
    expect((await w.store.load('c1'))?.timers).toEqual([]);
  });

  it('takes onTimeout when the event never comes', async () => {
    const w = world([
      journey([
        { id: 'ask', type: 'pause', until: { event: 'Replied' }, timeout: 'P3D', next: 'yes', onTimeout: 'no' },
        exit('yes', 'replied'),
        exit('no', 'timed_out'),
      ]),
    ]);
    await w.track('c1', 'Signed Up');
    await w.at(T0 + 3 * DAY);
    expect(await w.instance('c1')).toMatchObject({ outcome: 'timed_out', exitedAt: T0 + 3 * DAY });
  });
});

describe('branching and splitting', () => {
  it('takes the first path whose condition holds and records why', async () => {
    const w = world(
      [
        journey([
          {
            id: 'fit',
            type: 'branch',
            paths: [{ label: 'Good fit', when: { field: 'score.fit', op: 'gte', value: 70 }, next: 'hot' }],
            otherwise: 'cold',
          },
          exit('hot', 'hot'),
          exit('cold', 'cold'),
        ]),
      ],
      { scores: { fit: { rules: [{ when: { field: 'contact.employees', op: 'gte', value: 500 }, points: 82 }] } } },
    );
    await w.runtime.ingest({ type: 'identify', userId: 'big', traits: { employees: 900 } });
    await w.track('big', 'Signed Up');
    await w.track('small', 'Signed Up');
    expect(await w.instance('big')).toMatchObject({
      outcome: 'hot',
      decisions: [{ node: 'fit', label: 'Good fit', reasons: ['score.fit 82 ≥ 70'] }],
    });
    expect((await w.instance('small'))?.outcome).toBe('cold');
  });

  it('gives a contact the same split variant every time, with shares that follow the weights', async () => {
    const split = journey(
      [
        {
          id: 's',
          type: 'split',
          variants: [
            { label: 'A', weight: 1, next: 'a' },
            { label: 'B', weight: 3, next: 'b' },
          ],
        },
        exit('a', 'a'),
        exit('b', 'b'),
      ],
      { reentry: 'after_exit' },
    );
    const w = world([split]);
    let b = 0;
    for (let i = 0; i < 2000; i++) {
      await w.track(`c${i}`, 'Signed Up');
      if ((await w.instance(`c${i}`))?.outcome === 'b') b++;
    }
    expect(b / 2000).toBeGreaterThan(0.72);
    expect(b / 2000).toBeLessThan(0.78);
    const first = (await w.instance('c7'))?.outcome;
    await w.track('c7', 'Signed Up');
    expect(await w.instance('c7')).toMatchObject({ run: 2, outcome: first });
  });

  it('applies update_contact before the next branch looks at the contact', async () => {
    const w = world([
      journey([
        { id: 'tag', type: 'action', action: 'update_contact', params: { traits: { tier: 'gold' } }, next: 'check' },
        {
          id: 'check',
          type: 'branch',
          paths: [{ label: 'Gold', when: { field: 'contact.tier', op: 'eq', value: 'gold' }, next: 'gold' }],
          otherwise: 'other',
        },
        exit('gold', 'gold'),
        exit('other', 'other'),
      ]),
    ]);
    await w.track('c1', 'Signed Up');
    expect((await w.instance('c1'))?.outcome).toBe('gold');
    expect((await w.store.load('c1'))?.contact.traits).toEqual({ tier: 'gold' });
  });
});

describe('entering and leaving', () => {
  const waiting = (over: Record<string, unknown> = {}) =>
    journey([{ id: 'wait', type: 'wait', duration: 'P1D', next: 'done' }, exit()], over);

  it('enters only when trigger.when holds', async () => {
    const w = world([
      waiting({
        trigger: { event: 'Page Viewed', when: { field: 'event.properties.path', op: 'eq', value: '/pricing' } },
      }),
    ]);
    await w.track('c1', 'Page Viewed', { path: '/blog' });
    expect(await w.instance('c1')).toBeUndefined();
    await w.track('c1', 'Page Viewed', { path: '/pricing' });
    expect((await w.instance('c1'))?.node).toBe('wait');
  });

  it('enters on an identify when the trigger is Contact Updated', async () => {
    const w = world([
      waiting({ trigger: { event: 'Contact Updated', when: { field: 'contact.nps', op: 'lte', value: 6 } } }),
    ]);
    await w.runtime.ingest({ type: 'identify', userId: 'c1', traits: { nps: 9 } });
    expect(await w.instance('c1')).toBeUndefined();
    await w.runtime.ingest({ type: 'identify', userId: 'c1', traits: { nps: 3 } });
    expect((await w.instance('c1'))?.status).toBe('active');
  });

  it('never puts a contact in the same journey twice at once, and honours reentry', async () => {
    const never = world([waiting()]);
    await never.track('c1', 'Signed Up');
    await never.track('c1', 'Signed Up');
    await never.at(T0 + 2 * DAY);
    await never.track('c1', 'Signed Up');
    expect((await never.instance('c1'))?.run).toBe(1);

    const after = world([waiting({ reentry: 'after_exit' })]);
    await after.track('c1', 'Signed Up');
    await after.track('c1', 'Signed Up');
    expect((await after.instance('c1'))?.run).toBe(1);
    await after.at(T0 + 2 * DAY);
    await after.track('c1', 'Signed Up');
    expect((await after.instance('c1'))?.run).toBe(2);

    const gap = world([waiting({ reentry: 'P7D' })]);
    await gap.track('c1', 'Signed Up');
    await gap.at(T0 + 2 * DAY);
    await gap.track('c1', 'Signed Up');
    expect((await gap.instance('c1'))?.run).toBe(1);
    await gap.at(T0 + 7 * DAY);
    await gap.track('c1', 'Signed Up');
    expect((await gap.instance('c1'))?.run).toBe(2);
  });

  it('exits wherever the contact is when exitWhen holds, and cancels its timers', async () => {
    const w = world([
      waiting({
        exitWhen: [{ when: { field: 'contact.lifecycle', op: 'eq', value: 'customer' }, outcome: 'became_customer' }],
      }),
    ]);
    await w.track('c1', 'Signed Up');
    await w.runtime.ingest({ type: 'identify', userId: 'c1', traits: { lifecycle: 'customer' } });
    expect(await w.instance('c1')).toMatchObject({ status: 'exited', outcome: 'became_customer', path: ['wait'] });
    expect((await w.store.load('c1'))?.timers).toEqual([]);
  });

  it('applies the same messageId once', async () => {
    const w = world([
      journey([{ id: 'mail', type: 'action', action: 'email', params: {}, next: 'done' }, exit()], {
        reentry: 'after_exit',
      }),
    ]);
    expect((await w.track('c1', 'Signed Up', {}, 'm-1')).status).toBe('applied');
    expect((await w.track('c1', 'Signed Up', {}, 'm-1')).status).toBe('duplicate');
    const state = await w.store.load('c1');
    expect(eventsOf(state!.contact)).toHaveLength(1);
    expect(state?.instances[0]?.run).toBe(1);
  });

  it('applies events sent at once to one contact one after another, in the order sent, past a step that fails', async () => {
    const w = world([waiting()]);
    const sent = Array.from({ length: 40 }, (_, i) => `Event ${i}`);
    // A rep's action on a handoff the contact does not have: the step throws on the contact's lane.
    const failing = w.runtime.accept({ userId: 'c1', journey: 'ghost', node: 'nowhere' }, T0);
    const applied = await Promise.all([
      ...sent.slice(0, 20).map((name) => w.track('c1', name)),
      failing.catch((err: Error) => err.message),
      ...sent.slice(20).map((name) => w.track('c1', name)),
      w.track('c2', 'Event 0'),
    ]);
    expect(applied).toContain('no open handoff for contact c1 in journey ghost at node nowhere');
    const state = await w.store.load('c1');
    expect(eventsOf(state!.contact).map((e) => e.name)).toEqual(sent);
    expect(state!.version).toBe(40); // one commit per event, none retried over another
    expect(eventsOf((await w.store.load('c2'))!.contact)).toHaveLength(1);
    expect((await w.track('c1', 'After')).status).toBe('applied');
  });

  it('keeps properties as sent, a __proto__ key as plain data, and refuses properties that are not an object', async () => {
    const w = world([waiting()]);
    const sent = JSON.parse(
      '{ "type": "track", "userId": "c1", "event": "Signed Up", "properties": { "__proto__": { "polluted": true }, "plan": "pro" } }',
    );
    await w.runtime.ingest(sent);
    const stored = eventsOf((await w.store.load('c1'))!.contact)[0]!.properties;
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(Object.keys(stored)).toEqual(['__proto__', 'plan']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expect(
      w.runtime.ingest({ type: 'track', userId: 'c1', event: 'Signed Up', properties: ['a'] }),
    ).rejects.toThrow('$.properties must be a JSON object');
    expect(eventsOf((await w.store.load('c1'))!.contact)).toHaveLength(1);
  });

  it('refuses a malformed event with its path and changes nothing', async () => {
    const w = world([waiting()]);
    const bad = w.runtime.ingest({ type: 'track', userId: '', event: 'Signed Up' });
    await expect(bad).rejects.toBeInstanceOf(InputInvalidError);
    await expect(w.runtime.ingest({ type: 'track', userId: 'c1' })).rejects.toThrow('$.event');
    expect(await w.store.contactIds()).toEqual([]);
  });
});

describe('versions and restarts', () => {
  it('keeps a contact on the version it started on while new contacts enter the new one', async () => {
    const v1 = journey([{ id: 'wait', type: 'wait', duration: 'P1D', next: 'done' }, exit('done', 'v1')]);
    const v2 = journey([{ id: 'wait', type: 'wait', duration: 'P1D', next: 'done' }, exit('done', 'v2')]);
    const w = world([v1]);
    await w.track('old', 'Signed Up');
    expect(w.catalog.publish(v2)).toBe(2);
    await w.track('new', 'Signed Up');
    await w.at(T0 + 2 * DAY);
    expect(await w.instance('old')).toMatchObject({ version: 1, outcome: 'v1' });
    expect(await w.instance('new')).toMatchObject({ version: 2, outcome: 'v2' });
  });

  it('keeps a waiting contact as plain data that a new runtime picks up', async () => {
    const j = journey([
      { id: 'wait', type: 'wait', duration: 'PT4H', next: 'mail' },
      { id: 'mail', type: 'action', action: 'email', params: {}, next: 'done' },
      exit(),
    ]);
    const w = world([j]);
    await w.track('c1', 'Signed Up');
    const stored = await w.store.load('c1');
    // Round-trip through JSON into a fresh store and runtime, as after a restart.
    const revived = new MemoryStore();
    await revived.commit({
      contactId: 'c1',
      expectedVersion: 0,
      state: JSON.parse(JSON.stringify(stored)),
      effects: [],
    });
    const catalog = new JourneyCatalog();
    catalog.publish(j);
    const runtime = new Runtime({ store: revived, clock: new VirtualClock(T0 + 5 * HOUR), catalog });
    expect(await runtime.advance()).toBe(1);
    const inst = (await revived.load('c1'))?.instances[0];
    expect(inst).toMatchObject({ status: 'exited', path: ['wait', 'mail', 'done'] });
    expect(formatInstant(inst!.messages[0]!.at)).toBe('2026-11-23T13:00:00Z');
  });
});

describe('stepping at once (a simulation whose store answers at once)', () => {
  const waitThenMail = () =>
    journey([
      { id: 'wait', type: 'wait', duration: 'P2D', next: 'mail' },
      { id: 'mail', type: 'action', action: 'email', params: { template: 't' }, next: 'done' },
      exit(),
    ]);
  const pair = () => {
    const make = (immediate: boolean) => {
      const catalog = new JourneyCatalog();
      catalog.publish(waitThenMail());
      const clock = new VirtualClock(T0);
      const store = new MemoryStore();
      const runtime = new Runtime({ store, clock, catalog, ...(immediate ? { immediate: store } : {}) });
      const heard: string[] = [];
      runtime.subscribe((a) => heard.push(`${a.contactId}:${a.effects.map((e) => e.type).join(',')}`));
      return { clock, store, runtime, heard };
    };
    return { later: make(false), now: make(true) };
  };

  it('applies a step, fires its timers and tells listeners as apply and advance do', async () => {
    const { later, now } = pair();
    const input = { kind: 'track', name: 'Signed Up', properties: {}, at: T0 } as const;
    await later.runtime.apply('c1', input, T0);
    expect(now.runtime.applyNow('c1', input, T0)?.status).toBe('applied');
    for (const w of [later, now]) {
      w.clock.set(T0 + 3 * DAY);
      expect(await w.runtime.advance(T0 + 3 * DAY)).toBe(1);
    }
    expect(now.store.snapshot()).toEqual(later.store.snapshot());
    expect(now.heard).toEqual(later.heard);
    expect((await now.store.load('c1'))?.instances[0]?.status).toBe('exited');
  });

  it('declines without an immediate store, or while the contact has a step in flight', async () => {
    const { later, now } = pair();
    const input = { kind: 'track', name: 'Signed Up', properties: {}, at: T0 } as const;
    expect(later.runtime.applyNow('c1', input, T0)).toBeUndefined();
    // A change always takes the contact's lane: while it is in flight, neither path steps at once.
    const inFlight = now.runtime.change('c2', (state) => ({ state, effects: [], journal: [] }));
    expect(now.runtime.applyNow('c2', input, T0)).toBeUndefined();
    const queued = now.runtime.apply('c2', input, T0);
    expect(now.store.stateOf('c2')).toBeUndefined(); // (queued behind the change, not applied yet)
    await inFlight;
    expect((await queued).status).toBe('applied');
    expect(now.store.stateOf('c2')?.instances).toHaveLength(1);
    expect(await later.store.load('c1')).toBeUndefined();
  });

  it('ingests at once as the awaited path does: the same states, listeners and duplicates', async () => {
    const { later, now } = pair();
    const calls = [
      { type: 'track', userId: 'c1', event: 'Signed Up', messageId: 'm1' },
      { type: 'track', userId: 'c1', event: 'Signed Up', messageId: 'm1' }, // the same message again
      { type: 'identify', userId: 'c2', traits: { plan: 'pro' }, messageId: 'm2' },
      { type: 'track', userId: 'c2', event: 'Signed Up', messageId: 'm3' },
    ];
    for (const w of [later, now]) {
      const answers = [];
      for (const call of calls) answers.push((await w.runtime.ingest(call)).status);
      expect(answers).toEqual(['applied', 'duplicate', 'applied', 'applied']);
      w.clock.set(T0 + 3 * DAY);
      expect(await w.runtime.advance(T0 + 3 * DAY)).toBe(2);
    }
    expect(now.store.snapshot()).toEqual(later.store.snapshot());
    expect(now.heard).toEqual(later.heard);
    // Stepped at once: committed before ingest returns (the awaited path commits after a read's await).
    const pending = now.runtime.ingest({ type: 'track', userId: 'c4', event: 'Signed Up' });
    expect(now.store.stateOf('c4')?.instances).toHaveLength(1);
    const awaited = later.runtime.ingest({ type: 'track', userId: 'c4', event: 'Signed Up' });
    expect(later.store.stateOf('c4')).toBeUndefined();
    await Promise.all([pending, awaited]);
    // Each ingest answers with a promise and never throws: a refusal is a rejection, as on the awaited path.
    const refused = now.runtime.ingest({ type: 'track', userId: 'c3' });
    await expect(refused).rejects.toThrow('event');
  });

  it('refuses an immediate store that is not the runtime store', () => {
    const store = new MemoryStore();
    expect(
      () =>
        new Runtime({
          store,
          clock: new VirtualClock(T0),
          catalog: new JourneyCatalog(),
          immediate: new MemoryStore(),
        }),
    ).toThrow('RuntimeOptions.immediate must be the store itself');
  });
});
