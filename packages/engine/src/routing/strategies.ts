import { dictionary, own } from '../model/dictionary.ts';
import type { Queue } from '../model/team.ts';
import { unavailability } from './availability.ts';
import type { QueueCursor, RoutingView } from './desk.ts';
import { effectiveRep } from './desk.ts';

/** The rep a queue picks, its next cursor, and a few words on how. */
export interface QueuePick {
  rep: string | null;
  cursor: QueueCursor;
  how: string;
}

type Strategy = (
  queue: Queue,
  available: string[],
  cursor: QueueCursor,
  view: RoutingView,
) => { rep: string; cursor: QueueCursor };

/** The next available member after the last one assigned, in member order. */
const roundRobin: Strategy = (queue, available, cursor) => {
  const n = queue.members.length;
  for (let step = 1; step <= n; step++) {
    const i = (cursor.last + step) % n;
    const rep = queue.members[i]!;
    if (available.includes(rep)) return { rep, cursor: { ...cursor, last: i } };
  }
  throw new Error('round robin found no available member');
};

/** Smooth weighted round robin as nginx does it, over the available members; ties go to the earlier member. */
const weighted: Strategy = (_queue, available, cursor, view) => {
  const current = Object.assign(dictionary<number>(), cursor.current);
  let total = 0;
  let best: string | null = null;
  for (const rep of available) {
    const weight = effectiveRep(view, rep)?.weight ?? 1;
    current[rep] = (current[rep] ?? 0) + weight;
    total += weight;
    if (best === null || current[rep] > current[best]!) best = rep;
  }
  current[best!] = current[best!]! - total;
  return { rep: best!, cursor: { ...cursor, current } };
};

/** Fewest open handoffs; ties by member order. */
const leastLoaded: Strategy = (_queue, available, cursor, view) => {
  let best = available[0]!;
  for (const rep of available) if (view.load(rep) < view.load(best)) best = rep;
  return { rep: best, cursor };
};

const STRATEGIES: Record<Queue['strategy'], { pick: Strategy; words: string }> = {
  round_robin: { pick: roundRobin, words: 'round robin' },
  weighted: { pick: weighted, words: 'weighted' },
  least_loaded: { pick: leastLoaded, words: 'least loaded' },
};

/** Picks an available member of a queue by its strategy; null with the reasons when none is available. */
export function pickFromQueue(view: RoutingView, queue: Queue, exclude?: ReadonlySet<string>): QueuePick {
  const cursor = own(view.desk.cursors, queue.id) ?? { last: -1, current: {} };
  const reasons: string[] = [];
  const available = queue.members.filter((m) => {
    const why = unavailability(view, m, { respectHours: queue.respectHours, ...(exclude ? { exclude } : {}) });
    if (why) reasons.push(`${m} ${why}`);
    return why === null;
  });
  if (available.length === 0) {
    return {
      rep: null,
      cursor,
      how: queue.members.length === 0 ? 'no members' : `no member available (${reasons.join(', ')})`,
    };
  }
  const strategy = STRATEGIES[queue.strategy];
  const { rep, cursor: next } = strategy.pick(queue, available, cursor, view);
  return { rep, cursor: next, how: strategy.words };
}
