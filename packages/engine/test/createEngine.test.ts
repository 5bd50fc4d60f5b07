import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  BatonError,
  InputInvalidError,
  JourneyInvalidError,
  MemoryStore,
  VirtualClock,
  counterIds,
  createEngine,
  type Effect,
  type EngineOptions,
} from '../src/index.ts';

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/pricing-intent/${file}`, import.meta.url), 'utf8'));
const pricing = { journeys: [read('journey.json')], team: read('team.json'), workspace: read('workspace.json') };
/** Friday 2026-11-20, 16:00 in Berlin: an hour of the sales team's day left. */
const FRIDAY_4PM = Date.parse('2026-11-20T15:00:00Z');
const GLOBEX = { company: 'Globex', employees: 700, title: 'VP Operations', region: 'EMEA' };

async function pricingLead(options: Partial<EngineOptions> = {}) {
  const effects: Effect[] = [];
  const engine = createEngine({
    ...pricing,
    clock: new VirtualClock(FRIDAY_4PM),
    ids: counterIds(),
    onEffect: (e) => effects.push(e),
    ...options,
  });
  await engine.ingest({ type: 'identify', userId: 'globex-vp', traits: GLOBEX });
  await engine.ingest({ type: 'track', userId: 'globex-vp', event: 'Page Viewed', properties: { path: '/pricing' } });
  return { engine, effects };
}

const names = (effects: Effect[]) => effects.map((e) => (e.type === 'event' ? e.name : e.type));

describe('createEngine', () => {
  it('breaches on Monday 12:00 for a lead assigned Friday 16:00, and escalates to the managers', async () => {
    const { engine } = await pricingLead();
    const [assigned] = await engine.openHandoffs();
    expect(assigned).toMatchObject({
      assignee: 'ana',
      queue: 'emea-ae',
      breached: false,
      dueAt: Date.parse('2026-11-23T11:00:00Z'),
    });
    expect(await engine.advance({ to: '2026-11-23T10:59:59Z' })).toBe(0);
    expect((await engine.handoff(assigned!.id))?.breached).toBe(false);
    expect(await engine.advance('PT1S')).toBe(1);
    expect(await engine.handoff(assigned!.id)).toMatchObject({ breached: true, assignee: 'mia', escalatedTo: 'mia' });
    expect(engine.clock.now()).toBe(Date.parse('2026-11-23T11:00:00Z'));
  });

  it('acts on handoffs by id: a rejection routes it to someone else, an outcome moves the journey on', async () => {
    const { engine, effects } = await pricingLead();
    const [h] = await engine.openHandoffs();
    await expect(engine.accept(h!.id, { rep: 'bo' })).rejects.toBeInstanceOf(BatonError); // not bo's
    expect((await engine.reject(h!.id, { rep: 'ana', reason: 'on leave' })).status).toBe('applied');
    expect((await engine.handoff(h!.id))?.assignee).toBe('bo');
    await engine.accept(h!.id, { rep: 'bo' });
    await engine.logOutcome(h!.id, 'meeting_booked', { rep: 'bo', value: 48_000 });
    expect(await engine.handoff(h!.id)).toMatchObject({ status: 'closed', outcome: 'meeting_booked', value: 48_000 });
    expect((await engine.contact('globex-vp'))?.instances[0]).toMatchObject({
      status: 'exited',
      outcome: 'converted',
      path: ['fit', 'handoff', 'won'],
    });
    expect(names(effects)).toEqual([
      'Journey Entered',
      'Handoff Created',
      'Handoff Assigned',
      'Handoff Rejected',
      'Handoff Assigned',
      'Handoff Accepted',
      'Handoff Closed',
      'Journey Exited',
    ]);
    await expect(engine.accept('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps in the outbox the effects it gave the callback, until they are pruned', async () => {
    const { engine, effects } = await pricingLead();
    const outbox = await engine.readOutbox();
    expect(outbox.map((e) => e.effect)).toEqual(effects);
    await engine.pruneOutbox(outbox[1]!.seq);
    expect((await engine.readOutbox()).map((e) => e.seq)).toEqual(outbox.slice(2).map((e) => e.seq));
  });

  it('on a clock it cannot move, fires timers as they fall due once started', async () => {
    let now = FRIDAY_4PM;
    const { engine } = await pricingLead({ clock: { now: () => now } });
    await expect(engine.advance('PT5H')).rejects.toMatchObject({ code: 'clock_not_settable' });
    now = Date.parse('2026-11-23T12:00:00Z');
    engine.start(5);
    await vi.waitFor(
      async () => expect((await engine.openHandoffs())[0]).toMatchObject({ breached: true, assignee: 'mia' }),
      { timeout: 5_000 },
    );
    await engine.stop();
    expect(await engine.runDue()).toBe(0);
  });

  it('refuses a team or a journey that does not validate, saying where', () => {
    expect(() =>
      createEngine({ ...pricing, team: { reps: [{ id: 'ana', capacity: -1 }] }, clock: new VirtualClock(0) }),
    ).toThrow(InputInvalidError);
    expect(() =>
      createEngine({ journeys: [{ ...pricing.journeys[0], start: 'nowhere' }], clock: new VirtualClock(0) }),
    ).toThrow(JourneyInvalidError);
  });

  it('publishes a next version: new contacts enter it, a contact inside stays on its own', async () => {
    const { engine } = await pricingLead();
    const journey = pricing.journeys[0];
    expect(
      engine.publish({
        ...journey,
        nodes: journey.nodes.map((n: { id: string }) => (n.id === 'handoff' ? { ...n, priority: 'normal' } : n)),
      }),
    ).toBe(2);
    await engine.ingest({ type: 'identify', userId: 'initech-vp', traits: { ...GLOBEX, company: 'Initech' } });
    await engine.ingest({
      type: 'track',
      userId: 'initech-vp',
      event: 'Page Viewed',
      properties: { path: '/pricing' },
    });
    expect((await engine.openHandoffs()).map((h) => [h.contactId, h.version, h.priority])).toEqual([
      ['globex-vp', 1, 'high'],
      ['initech-vp', 2, 'normal'],
    ]);
  });

  it('gives random ids by default, so two processes on one durable store never reuse one', async () => {
    const store = new MemoryStore();
    const a = createEngine({ ...pricing, store, clock: new VirtualClock(FRIDAY_4PM) });
    const b = createEngine({ ...pricing, store, clock: new VirtualClock(FRIDAY_4PM) });
    for (const [engine, id] of [
      [a, 'c1'],
      [b, 'c2'],
    ] as const) {
      await engine.ingest({ type: 'identify', userId: id, traits: GLOBEX });
      await engine.ingest({ type: 'track', userId: id, event: 'Page Viewed', properties: { path: '/pricing' } });
    }
    const ids = (await store.openHandoffs()).map((h) => h.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[a-z]+_[0-9a-f]{24}$/);
  });
});
