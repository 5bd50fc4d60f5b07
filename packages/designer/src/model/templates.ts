import type { DraftJourney, DraftNode } from './draft.ts';
import { freshId } from './changes.ts';

/** The node types of the palette, in the order a marketer reaches for them. */
export const PALETTE = [
  { type: 'action', title: 'Action', hint: 'Send an email or SMS, call a webhook, update the contact, notify a rep' },
  { type: 'wait', title: 'Wait', hint: 'Hold the contact for a while' },
  { type: 'pause', title: 'Wait for event', hint: 'Until the contact does something, or a timeout' },
  { type: 'branch', title: 'Branch', hint: 'Paths by conditions on traits, scores and events' },
  { type: 'split', title: 'A/B split', hint: 'Stable weighted variants' },
  { type: 'handoff', title: 'Handoff', hint: 'Create a lead, task or case for a human, routed with an SLA' },
  { type: 'exit', title: 'Exit', hint: 'End the journey with an outcome' },
] as const;

export type PaletteType = (typeof PALETTE)[number]['type'];

/** A new node of a type, filled with sensible values so it is close to valid when dropped. */
export function newNode(journey: DraftJourney, type: PaletteType, team?: { queues?: { id: string }[] }): DraftNode {
  const id = freshId(journey, type);
  switch (type) {
    case 'wait':
      return { id, type, duration: 'P1D' };
    case 'pause':
      return { id, type, until: { event: 'Email Clicked' }, timeout: 'P3D' };
    case 'branch':
      return { id, type, paths: [{ label: 'Good fit', when: { field: 'contact.employees', op: 'gte', value: 200 } }] };
    case 'split':
      return { id, type, variants: [{ label: 'A', weight: 50 }, { label: 'B', weight: 50 }] };
    case 'action':
      return { id, type, action: 'email', params: { template: 'welcome' } };
    case 'handoff': {
      const queue = team?.queues?.[0]?.id;
      return {
        id,
        type,
        team: 'sales',
        record: 'lead',
        title: '{{contact.company}}',
        priority: 'normal',
        route: queue ? [{ to: { queue } }] : [],
        sla: { firstTouch: 'PT4H' },
        context: { timeline: 'P14D', talkTrack: '', nextBestActions: [] },
        outcomes: { meeting_booked: '', not_interested: '' },
      };
    }
    case 'exit':
      return { id, type, outcome: 'completed' };
  }
}

/** A new journey: a trigger and nothing else yet. */
export function newJourney(id: string, name: string): DraftJourney {
  return { schema: 'baton.journey/v1', id, name, trigger: { event: 'Signed Up' }, nodes: [], ui: { positions: { $trigger: { x: 0, y: 0 } } } };
}
