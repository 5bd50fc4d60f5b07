import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventsOf } from '@baton/engine/internal';
import { listenBaton } from './listen.ts';

type Contact = {
  id: string;
  traits: Record<string, unknown>;
  timeline: { name: string; at: string; properties: Record<string, unknown> }[];
};
type Handoffs = { handoffs: { contactId: string; journey: string; assignee: string | null; title: string }[] };

const FIT = { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' };

afterEach(() => {
  vi.useRealTimers();
});

describe('@segment/analytics-node, pointed at Baton unchanged', () => {
  it('delivers email, UUID and numeric userIds, keeps the valid events of a batch with an invalid one, and identify + page hands off the pricing lead', async () => {
    const baton = await listenBaton();
    const analytics = new Analytics({
      writeKey: baton.writeKey,
      host: baton.base,
      maxEventsInBatch: 20,
      flushInterval: 60_000,
      maxRetries: 0,
    });
    const failures: unknown[] = [];
    analytics.on('error', (err) => failures.push(err));
    const uuid = randomUUID();
    analytics.identify({ userId: 'jane@example.com', traits: FIT as Record<string, unknown> }); // Segment types company as an object; Baton's example uses a name
    analytics.track({ userId: uuid, event: 'Signed Up', properties: { plan: 'trial' } });
    analytics.track({ userId: '1234', event: 'Signed Up' });
    // Baton takes event names of at most 256 characters; the library sends this one anyway.
    analytics.track({ userId: uuid, event: 'x'.repeat(300) });
    analytics.page({ userId: 'jane@example.com', name: 'Pricing', properties: { path: '/pricing' } });
    await analytics.closeAndFlush();
    expect(failures).toEqual([]);
    expect(baton.seen.filter((r) => r.path === '/v1/batch')).toHaveLength(1); // one batch held all five
    const jane = await baton.api<Contact>(`/contacts/${encodeURIComponent('jane@example.com')}`);
    expect(jane.traits).toMatchObject(FIT);
    expect(jane.timeline.map((e) => e.name)).toEqual([
      'Contact Updated',
      'Page Viewed',
      'Handoff Created',
      'Handoff Assigned',
    ]);
    expect((await baton.api<Contact>(`/contacts/${uuid}`)).timeline.map((e) => e.name)).toEqual(['Signed Up']);
    expect((await baton.api<Contact>('/contacts/1234')).timeline.map((e) => e.name)).toEqual(['Signed Up']);
    const { handoffs } = await baton.api<Handoffs>('/handoffs');
    expect(handoffs).toEqual([
      expect.objectContaining({
        contactId: 'jane@example.com',
        journey: 'pricing-intent',
        assignee: 'ana',
        title: 'Pricing intent: Acme',
      }),
    ]);
    await baton.stop();
  });
});

describe('@rudderstack/rudder-sdk-node with its default gzip', () => {
  it("places events at their original time, corrected for the sender's clock skew", async () => {
    const received = Date.parse('2026-11-23T12:00:00Z');
    const baton = await listenBaton({ clock: { now: () => received } });
    // The sender's clock runs 3 hours fast; it recorded one event 10 minutes before sending it.
    const senderNow = Date.parse('2026-11-23T15:00:00Z');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(senderNow);
    const rudder = new RudderAnalytics(baton.writeKey, {
      dataPlaneUrl: baton.base,
      flushAt: 20,
      flushInterval: 60_000,
      logLevel: 'error',
      retryCount: 0,
    });
    rudder.identify({ userId: 'r1', traits: FIT });
    const earlier = {
      userId: 'r1',
      event: 'Page Viewed',
      properties: { path: '/pricing' },
      originalTimestamp: new Date(senderNow - 10 * 60_000),
    };
    rudder.track(earlier as Parameters<typeof rudder.track>[0]);
    await rudder.flush();
    vi.useRealTimers();
    const batches = baton.seen.filter((r) => r.path === '/v1/batch');
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
    const state = await baton.server.store.load('r1');
    const at = eventsOf(state!.contact)
      .filter((e) => !e.name.startsWith('Handoff '))
      .map((e) => [e.name, new Date(e.at).toISOString()]);
    expect(at).toEqual([
      ['Page Viewed', '2026-11-23T11:50:00.000Z'],
      ['Contact Updated', '2026-11-23T12:00:00.000Z'],
    ]);
    expect(state!.handoffs.map((h) => h.journeyId)).toEqual(['pricing-intent']);
    await baton.stop();
  });
});
