import { seededRandom } from '../src/sim/random.ts';

/** The benchmark journey: 17 nodes, event-driven pauses, branches on traits, event counts and scores. */
export const benchJourney = {
  schema: 'baton.journey/v1',
  id: 'bench',
  name: 'Benchmark: product-led trial',
  trigger: { event: 'Signed Up' },
  reentry: 'never',
  exitWhen: [{ when: { field: 'contact.lifecycle', op: 'eq', value: 'customer' }, outcome: 'became_customer' }],
  start: 'fit',
  nodes: [
    {
      id: 'fit',
      type: 'branch',
      paths: [{ label: 'Big', when: { field: 'contact.employees', op: 'gte', value: 200 }, next: 'welcome_vip' }],
      otherwise: 'welcome',
    },
    { id: 'welcome_vip', type: 'action', action: 'email', params: { template: 'vip' }, next: 'first_use' },
    { id: 'welcome', type: 'action', action: 'email', params: { template: 'std' }, next: 'first_use' },
    {
      id: 'first_use',
      type: 'pause',
      until: { event: 'Feature Used' },
      timeout: 'P7D',
      next: 'habit',
      onTimeout: 'remind',
    },
    { id: 'remind', type: 'action', action: 'sms', params: { template: 'remind' }, next: 'wait_remind' },
    { id: 'wait_remind', type: 'wait', duration: 'P2D', next: 'stalled' },
    {
      id: 'habit',
      type: 'branch',
      paths: [{ label: 'Habit', when: { event: 'Feature Used', within: 'P7D', op: 'gte', value: 2 }, next: 'pricing' }],
      otherwise: 'second_use',
    },
    {
      id: 'second_use',
      type: 'pause',
      until: { event: 'Feature Used' },
      timeout: 'P5D',
      next: 'pricing',
      onTimeout: 'stalled',
    },
    {
      id: 'pricing',
      type: 'pause',
      until: { event: 'Page Viewed', where: { field: 'event.properties.path', op: 'eq', value: '/pricing' } },
      timeout: 'P3D',
      next: 'tag',
      onTimeout: 'nurture',
    },
    { id: 'nurture', type: 'action', action: 'email', params: { template: 'guide' }, next: 'wait_nurture' },
    { id: 'wait_nurture', type: 'wait', duration: 'P3D', next: 'done' },
    { id: 'tag', type: 'action', action: 'update_contact', params: { traits: { stage: 'pql' } }, next: 'intent' },
    {
      id: 'intent',
      type: 'branch',
      paths: [{ label: 'Hot', when: { field: 'score.intent', op: 'gte', value: 30 }, next: 'tell_crm' }],
      otherwise: 'offer',
    },
    {
      id: 'tell_crm',
      type: 'action',
      action: 'webhook',
      params: { url: 'https://crm.example.com/pql' },
      next: 'converted',
    },
    { id: 'offer', type: 'action', action: 'email', params: { template: 'offer' }, next: 'done' },
    { id: 'converted', type: 'exit', outcome: 'converted' },
    { id: 'stalled', type: 'exit', outcome: 'stalled' },
    { id: 'done', type: 'exit', outcome: 'completed' },
  ],
};

export const benchWorkspace = {
  scores: {
    intent: {
      events: [
        { event: 'Page Viewed', where: { field: 'event.properties.path', op: 'eq', value: '/pricing' }, points: 20 },
        { event: 'Feature Used', points: 5 },
      ],
      halfLife: 'P14D',
      max: 100,
    },
  },
};

export interface BenchEvent {
  userId: string;
  event: string;
  properties: Record<string, unknown>;
}

const PAGES = ['/pricing', '/blog', '/docs', '/pricing', '/careers'];

/**
 * Events in waves: every contact signs up, then each wave gives each contact one more event. A share
 * `idle` of the wave events are ones no node waits for (sessions, email opens): they only go onto the
 * timeline and into scores, as most of a real event stream does.
 */
export function benchEvents(contacts: number, perContact: number, idle = 0, seed = 7): BenchEvent[] {
  const random = seededRandom(seed);
  const events: BenchEvent[] = [];
  for (let i = 0; i < contacts; i++) events.push({ userId: `c${i}`, event: 'Signed Up', properties: {} });
  for (let wave = 1; wave < perContact; wave++) {
    for (let i = 0; i < contacts; i++) {
      if (random() < idle) {
        events.push({ userId: `c${i}`, event: 'Session Started', properties: { device: 'web' } });
        continue;
      }
      const r = random();
      events.push(
        r < 0.45
          ? { userId: `c${i}`, event: 'Feature Used', properties: { feature: r < 0.2 ? 'reports' : 'inbox' } }
          : {
              userId: `c${i}`,
              event: 'Page Viewed',
              properties: { path: PAGES[Math.floor(random() * PAGES.length)]! },
            },
      );
    }
  }
  return events;
}
