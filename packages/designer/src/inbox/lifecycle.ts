/** One event of a contact's timeline, as the API and the simulation give it. */
export interface TimelineEvent {
  name: string;
  at: string;
  properties?: Record<string, unknown>;
}

/** One step of a handoff's life, in a rep's words. */
export interface LifeStep {
  at: string;
  text: string;
  kind:
    | 'created'
    | 'assigned'
    | 'waiting'
    | 'accepted'
    | 'rejected'
    | 'escalated'
    | 'reassigned'
    | 'breached'
    | 'closed';
}

const s = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * A handoff's life cycle from the contact's timeline (the engine's `Handoff …` events of this handoff):
 * created, assigned, waiting in a queue, accepted, rejected (with the reason), escalated, reassigned,
 * breached, closed. `name` turns a rep id into the rep's name. Oldest first.
 */
export function lifeCycle(
  timeline: readonly TimelineEvent[],
  handoffId: string,
  name: (rep: string) => string = (r) => r,
): LifeStep[] {
  const steps: LifeStep[] = [];
  for (const e of timeline) {
    const p = e.properties ?? {};
    if (!e.name.startsWith('Handoff ') || p.handoff !== handoffId) continue;
    const rep = s(p.rep) ? name(s(p.rep)!) : null;
    switch (e.name) {
      case 'Handoff Created':
        steps.push({ at: e.at, kind: 'created', text: `Created${s(p.record) ? ` as a ${s(p.record)}` : ''}` });
        break;
      case 'Handoff Assigned':
        steps.push({
          at: e.at,
          kind: 'assigned',
          text: `Assigned to ${rep ?? 'a rep'}${s(p.queue) ? ` (queue ${s(p.queue)})` : ''}`,
        });
        break;
      case 'Handoff Unassigned':
        steps.push({
          at: e.at,
          kind: 'waiting',
          text: s(p.queue) ? `Waiting in queue ${s(p.queue)}: nobody available` : 'Waiting: nobody available',
        });
        break;
      case 'Handoff Accepted':
        steps.push({ at: e.at, kind: 'accepted', text: `Accepted by ${rep ?? 'the rep'}` });
        break;
      case 'Handoff Rejected':
        steps.push({
          at: e.at,
          kind: 'rejected',
          text: `Rejected by ${rep ?? 'a rep'}${s(p.reason) ? `: “${s(p.reason)}”` : ' (no reason given)'}`,
        });
        break;
      case 'Handoff Escalated':
        steps.push({
          at: e.at,
          kind: 'escalated',
          text: `Escalated to ${rep ?? 'a manager'}${s(p.from) ? ` from ${name(s(p.from)!)}` : ''}`,
        });
        break;
      case 'Handoff Reassigned':
        steps.push({
          at: e.at,
          kind: 'reassigned',
          text: `Reassigned to ${rep ?? 'a rep'}${s(p.by) ? ` by ${s(p.by)}` : ''}`,
        });
        break;
      case 'Handoff SLA Breached':
        steps.push({ at: e.at, kind: 'breached', text: `SLA breached${rep ? ` while with ${rep}` : ''}` });
        break;
      case 'Handoff Closed':
        steps.push({
          at: e.at,
          kind: 'closed',
          text: `Closed: ${s(p.outcome)?.replace(/_/g, ' ') ?? 'no outcome'}${typeof p.value === 'number' ? ` (${p.value.toLocaleString()})` : ''}`,
        });
        break;
    }
  }
  return steps;
}
