import { describe, expect, it } from 'vitest';
import {
  HandoffDeferred,
  JourneyCatalog,
  MemoryStore,
  Runtime,
  Team,
  VirtualClock,
  Workspace,
  handoffRecordView,
} from '../src/internal.ts';
import { HOUR, journey } from './helpers.ts';

const MON9 = Date.parse('2026-11-23T08:00:00Z');
const team = {
  calendars: { utc: { timezone: 'UTC', hours: { mon: ['00:00', '24:00'], tue: ['00:00', '24:00'] } } },
  reps: [{ id: 'ana', name: 'Ana', calendar: 'utc' }],
  queues: [{ id: 'ae', members: ['ana'] }],
};
const workspace = {
  scores: {
    fit: { rules: [{ when: { field: 'contact.employees', op: 'gte', value: 500 }, points: 40 }], max: 100 },
    intent: { events: [{ event: 'Page Viewed', points: 10 }] },
  },
};
const sales = journey(
  [
    { id: 'mail', type: 'action', action: 'email', params: { template: 'hello' }, next: 'h' },
    {
      id: 'h',
      type: 'handoff',
      team: 'sales',
      record: 'lead',
      route: [{ to: { queue: 'ae' } }],
      context: { timeline: 'PT2H', talkTrack: 'Ask about pricing', nextBestActions: ['call'] },
      outcomes: { won: 'won' },
    },
    { id: 'won', type: 'exit', outcome: 'converted' },
  ],
  { id: 'sales', trigger: { event: 'Demo Requested' } },
);

/** The same story told to a runtime that builds handoff contexts at once, or when first read. */
async function story(lazyHandoffContext: boolean) {
  const catalog = new JourneyCatalog();
  catalog.publish(sales, team);
  const clock = new VirtualClock(MON9);
  const store = new MemoryStore();
  const runtime = new Runtime({
    store,
    clock,
    catalog,
    team: Team.parse(team),
    workspace: Workspace.parse(workspace),
    lazyHandoffContext,
  });
  const track = async (event: string, path?: string) => {
    await runtime.ingest({ type: 'track', userId: 'u1', event, properties: path ? { path } : {} });
    clock.set(clock.now() + HOUR);
  };
  await runtime.ingest({ type: 'identify', userId: 'u1', traits: { employees: 800, company: 'Acme' } });
  await track('Page Viewed', '/old'); // (three hours before the handoff: outside its two-hour window)
  await track('Page Viewed', '/docs');
  await track('Page Viewed', '/pricing');
  await track('Demo Requested');
  // After the handoff was created: none of this is in its context.
  await track('Page Viewed', '/careers');
  await runtime.ingest({ type: 'identify', userId: 'u1', traits: { employees: 10, company: 'Acme Ltd' } });
  const [h] = (await store.load('u1'))!.handoffs;
  return h!;
}

describe('a handoff context built when first read (a simulation)', () => {
  it('shows the rep the traits, scores, timeline window and run as they were when the handoff was created', async () => {
    const lazy = await story(true);
    const eager = await story(false);
    expect(lazy.context.constructor.name).toBe('LazyHandoffContext');
    expect(handoffRecordView(lazy)).toEqual(handoffRecordView(eager));
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    const { context } = handoffRecordView(lazy);
    expect(context.traits).toEqual({ employees: 800, company: 'Acme' });
    expect(context.scores).toEqual({ fit: 40, intent: 30 });
    expect(context.timeline.map((e) => e.properties.path ?? e.name)).toEqual(['/docs', '/pricing', 'Demo Requested']);
    expect(context.path).toEqual(['mail', 'h']);
    expect(context.messages.map((m) => m.action)).toEqual(['email']);
    expect(context.talkTrack).toBe('Ask about pricing');
  });
});

describe("a runtime that defers handoffs (a synthetic run's partition)", () => {
  it('stops the step that reaches a handoff, commits nothing of it, and reads no routing state', async () => {
    const catalog = new JourneyCatalog();
    catalog.publish(sales, team);
    const store = new MemoryStore();
    let routingReads = 0;
    const readStepNow = store.readStepNow.bind(store);
    store.readStepNow = (contactId, messageId, routing) => {
      if (routing) routingReads++;
      return readStepNow(contactId, messageId, routing);
    };
    const runtime = new Runtime({
      store,
      clock: new VirtualClock(MON9),
      catalog,
      team: Team.parse(team),
      workspace: Workspace.parse(workspace),
      immediate: store,
      deferHandoffs: true,
    });
    await runtime.ingest({ type: 'identify', userId: 'u1', traits: { employees: 800 } });
    const before = store.stateOf('u1');
    await expect(runtime.ingest({ type: 'track', userId: 'u1', event: 'Demo Requested' })).rejects.toBe(
      HandoffDeferred.instance,
    );
    expect(store.stateOf('u1')).toBe(before); // the journey it entered and the email it sent: not committed
    expect(await store.openHandoffs()).toEqual([]);
    expect(routingReads).toBe(0);
  });
});
