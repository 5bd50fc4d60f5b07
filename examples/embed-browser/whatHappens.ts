// What happens to a contact in the pricing-intent journey: the engine runs here, with the journey, its
// team and its score model, on a virtual clock that lets two weeks pass at once. No server, no DOM.
import { VirtualClock, counterIds, createEngine, formatInstant, type Effect } from '@baton/engine';
import journey from '../pricing-intent/journey.json';
import team from '../pricing-intent/team.json';
import workspace from '../pricing-intent/workspace.json';

/** Monday 23 November 2026, 10:00 in Berlin: the sales team's hours have just begun. */
export const START = '2026-11-23T09:00:00Z';
const CONTACT = 'preview';

/** What the journey did with the contact: how it left, the way it went, and each step on the way. */
export interface Story {
  outcome: string | null;
  path: string[];
  timeline: { at: string; what: string }[];
}

/** One line for each effect a person would care about. */
function describe(effect: Effect): string | null {
  if (effect.type === 'message')
    return `${effect.suppressed ? 'held back' : 'sent'} ${effect.channel} "${String(effect.params.template ?? effect.node)}"`;
  if (effect.type !== 'event') return `${effect.type} ${effect.type === 'webhook' ? effect.url : effect.to}`;
  const p = effect.properties;
  switch (effect.name) {
    case 'Handoff Created':
      return `handoff created: ${String(p.title)}`;
    case 'Handoff Assigned':
      return `assigned to ${String(p.rep)} (${String(p.queue ?? 'owner')}), first touch due ${String(p.dueAt)}`;
    case 'Handoff SLA Breached':
      return `SLA breached: ${String(p.rep)} did not touch it by ${String(p.dueAt)}`;
    case 'Handoff Escalated':
      return `escalated from ${String(p.from)} to ${String(p.rep)}`;
    case 'Handoff Closed':
      return `handoff closed: ${String(p.outcome)}`;
    case 'Journey Entered':
      return 'entered the journey';
    case 'Journey Exited':
      return `left the journey: ${String(p.outcome)}`;
    default:
      return effect.name;
  }
}

/**
 * Runs the journey for a contact with `traits` who views the pricing page at START. With `bookAfter` (an
 * ISO duration), the rep holding the handoff by then books a meeting.
 */
export async function whatHappens(traits: Record<string, unknown>, bookAfter?: string): Promise<Story> {
  const timeline: Story['timeline'] = [];
  const engine = createEngine({
    journeys: [journey],
    team,
    workspace,
    clock: new VirtualClock(Date.parse(START)),
    ids: counterIds(),
    onEffect: (effect) => {
      const what = describe(effect);
      if (what) timeline.push({ at: formatInstant(effect.at), what });
    },
  });
  await engine.ingest({ type: 'identify', userId: CONTACT, traits });
  await engine.ingest({ type: 'track', userId: CONTACT, event: 'Page Viewed', properties: { path: '/pricing' } });
  if (bookAfter) {
    await engine.advance(bookAfter);
    const [handoff] = await engine.openHandoffs();
    if (handoff) await engine.logOutcome(handoff.id, 'meeting_booked', { value: 48_000 });
  }
  await engine.advance('P15D'); // past the handoff's expiry (P14D) and the nurture's wait (P3D)
  const run = (await engine.contact(CONTACT))?.instances.find((i) => i.journeyId === journey.id);
  await engine.close();
  return { outcome: run?.outcome ?? null, path: run?.path ?? [], timeline };
}
