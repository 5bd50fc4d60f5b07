import { dictionary } from '../model/dictionary.ts';
import type { RepModel, RoutingAtStart } from '../model/repModel.ts';
import type { Team } from '../model/team.ts';
import { formatInstant, type Millis } from '../model/time.ts';
import type { HandoffRecord } from '../state/records.ts';

interface Tally {
  handoffs: number;
  accepted: number;
  acceptMs: number;
  outcomes: number;
  outcomeMs: number;
  mix: Record<string, Record<string, Record<string, number>>>;
}

const mean = (totalMs: number, n: number) => (n === 0 ? null : Math.round(totalMs / n / 1000));

/**
 * Fits the reps' behaviour to recorded handoffs created in `[from, to)` (either end open when null): per
 * rep holding the handoff at its end, the share accepted, the mean time from assignment to accept and from
 * accept to outcome, and the outcomes logged per journey and node (an expiry is no rep's outcome).
 */
export function fitRepModel(
  handoffs: Iterable<HandoffRecord>,
  from: Millis | null = null,
  to: Millis | null = null,
): RepModel {
  const tallies = new Map<string, Tally>();
  for (const h of handoffs) {
    if (h.assignee === null || (from !== null && h.createdAt < from) || (to !== null && h.createdAt >= to)) continue;
    let t = tallies.get(h.assignee);
    if (!t) {
      t = { handoffs: 0, accepted: 0, acceptMs: 0, outcomes: 0, outcomeMs: 0, mix: dictionary() };
      tallies.set(h.assignee, t);
    }
    t.handoffs++;
    if (h.acceptedAt === null) continue;
    t.accepted++;
    t.acceptMs += Math.max(0, h.acceptedAt - (h.assignedAt ?? h.createdAt));
    if (h.status !== 'closed' || h.outcome === null || h.outcome === 'expired' || h.closedAt === null) continue;
    t.outcomes++;
    t.outcomeMs += Math.max(0, h.closedAt - h.acceptedAt);
    const nodes = t.mix[h.journeyId] ?? dictionary<Record<string, number>>();
    t.mix[h.journeyId] = nodes;
    const counts = nodes[h.node] ?? dictionary<number>();
    nodes[h.node] = counts;
    counts[h.outcome] = (counts[h.outcome] ?? 0) + 1;
  }
  const reps = dictionary<RepModel['reps'][string]>();
  for (const rep of [...tallies.keys()].sort()) {
    const t = tallies.get(rep)!;
    reps[rep] = {
      handoffs: t.handoffs,
      acceptShare: Math.round((t.accepted / t.handoffs) * 10_000) / 10_000,
      acceptSeconds: mean(t.acceptMs, t.accepted),
      outcomeSeconds: mean(t.outcomeMs, t.outcomes),
      outcomes: t.mix,
    };
  }
  return { from: from === null ? null : formatInstant(from), to: to === null ? null : formatInstant(to), reps };
}

/** One assignment a queue made (a `Handoff Assigned` event): when, which queue, which rep. */
export interface QueueAssignment {
  at: Millis;
  queue: string;
  rep: string;
}

/**
 * Each queue's cursor as it stood at `from`, replayed from the assignments made before it, in time order:
 * round robin's last member assigned, and weighted's smooth counters (each pick adds every member's weight
 * and takes the total from the one picked, as if every member was available: the counters of a pick made
 * while some were away differ). Queues with no assignment before `from` are left out (they start afresh).
 */
export function routingAt(team: Team, assignments: Iterable<QueueAssignment>, from: Millis): RoutingAtStart {
  const before = [...assignments].filter((a) => a.at < from).sort((a, b) => a.at - b.at);
  const cursors = dictionary<RoutingAtStart['cursors'][string]>();
  for (const queue of team.queues) {
    const picks = before.filter((a) => a.queue === queue.id && queue.members.includes(a.rep));
    if (picks.length === 0) continue;
    const current = dictionary<number>();
    if (queue.strategy === 'weighted') {
      const weight = (id: string) => team.reps.find((r) => r.id === id)?.weight ?? 1;
      const total = queue.members.reduce((n, m) => n + weight(m), 0);
      for (const { rep } of picks) {
        for (const m of queue.members) current[m] = (current[m] ?? 0) + weight(m);
        current[rep] = current[rep]! - total;
      }
    }
    cursors[queue.id] = { last: queue.members.indexOf(picks[picks.length - 1]!.rep), current };
  }
  return { cursors };
}
