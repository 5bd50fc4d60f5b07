import { describe, expect, it } from 'vitest';
import { Interner, JourneyCatalog, MemoryStore, NO_PROPERTIES, Runtime, VirtualClock } from '../src/internal.ts';
import { T0, journey } from './helpers.ts';

function world() {
  const catalog = new JourneyCatalog();
  catalog.publish(
    journey([{ id: 'done', type: 'exit', outcome: 'converted' }], { id: 'j', trigger: { event: 'Trial Started' } }),
  );
  const store = new MemoryStore();
  return { store, runtime: new Runtime({ store, clock: new VirtualClock(T0), catalog }) };
}

const events = (state: Awaited<ReturnType<MemoryStore['load']>>) => [
  ...state!.contact.history,
  ...(state!.contact.recent ?? []),
];

describe('values a hundred thousand contacts would each hold a copy of', () => {
  it("keeps a first identify's traits as one object with its timeline event, and merges a later one into a copy", async () => {
    const { store, runtime } = world();
    await runtime.ingest({ type: 'identify', userId: 'c1', traits: { plan: 'free', region: 'EMEA' } });
    const first = await store.load('c1');
    expect(first!.contact.traits).toEqual({ plan: 'free', region: 'EMEA' });
    expect(events(first).at(-1)!.properties).toBe(first!.contact.traits);

    await runtime.ingest({ type: 'identify', userId: 'c1', traits: { plan: 'pro' } });
    const second = await store.load('c1');
    expect(second!.contact.traits).toEqual({ plan: 'pro', region: 'EMEA' });
    expect(events(second).at(-1)!.properties).toEqual({ plan: 'pro' });
    // The first version, and its event, are as they were.
    expect(first!.contact.traits).toEqual({ plan: 'free', region: 'EMEA' });
    expect(events(second)[0]!.properties).toEqual({ plan: 'free', region: 'EMEA' });
  });

  it('gives every event without properties one frozen empty object, and keeps those with properties as sent', async () => {
    const { store, runtime } = world();
    for (const userId of ['c1', 'c2', '__proto__']) {
      await runtime.ingest({ type: 'track', userId, event: 'Trial Started', properties: {} });
      await runtime.ingest({ type: 'track', userId, event: 'Page Viewed', properties: { path: '/pricing' } });
    }
    const all = (await Promise.all(['c1', 'c2', '__proto__'].map((id) => store.load(id)))).flatMap(events);
    const started = all.filter((e) => e.name === 'Trial Started');
    expect(started).toHaveLength(3);
    for (const e of started) expect(e.properties).toBe(NO_PROPERTIES);
    expect(Object.isFrozen(NO_PROPERTIES)).toBe(true);
    expect(NO_PROPERTIES).toEqual({});
    for (const e of all.filter((x) => x.name === 'Page Viewed')) expect(e.properties).toEqual({ path: '/pricing' });
  });

  it('holds a timeline read back from a snapshot as it held the one it took: empty properties shared', async () => {
    const { store, runtime } = world();
    await runtime.ingest({ type: 'track', userId: 'c1', event: 'Trial Started', properties: {} });
    await runtime.ingest({ type: 'track', userId: 'c1', event: 'Page Viewed', properties: { path: '/pricing' } });
    const reopened = MemoryStore.fromSnapshot(JSON.parse(JSON.stringify(store.snapshot())));
    const [started, viewed] = events(await reopened.load('c1'));
    expect(started).toMatchObject({ name: 'Trial Started' });
    expect(started!.properties).toBe(NO_PROPERTIES);
    expect(viewed).toMatchObject({ name: 'Page Viewed', properties: { path: '/pricing' } });
    expect(await reopened.load('c1')).toEqual(await store.load('c1'));
  });

  it('interns into a bounded table that starts again when full, and leaves long strings out', () => {
    const interner = new Interner(3, 8);
    expect(['a', 'b', 'a', 'c'].map((s) => interner.of(s))).toEqual(['a', 'b', 'a', 'c']);
    expect(interner.size).toBe(3);
    expect(interner.of('d')).toBe('d');
    expect(interner.size).toBe(1);
    expect(interner.of('x'.repeat(9))).toBe('x'.repeat(9));
    expect(interner.size).toBe(1);
    expect(interner.of('__proto__')).toBe('__proto__');
  });
});
