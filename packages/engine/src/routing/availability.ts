import { own } from '../model/dictionary.ts';
import { withinHours } from '../team/businessTime.ts';
import type { RoutingView } from './desk.ts';
import { effectiveRep } from './desk.ts';

/** Why a rep can take a handoff now, or why not ("inactive", "at capacity 25/25", "outside hours"). */
export function unavailability(
  view: RoutingView,
  repId: string,
  options: { respectHours?: boolean; exclude?: ReadonlySet<string> } = {},
): string | null {
  const rep = effectiveRep(view, repId);
  if (!rep) return 'not in the team';
  if (options.exclude?.has(repId)) return 'rejected it';
  if (!rep.active) return 'inactive';
  const load = view.load(repId);
  if (rep.capacity !== undefined && load >= rep.capacity) return `at capacity ${load}/${rep.capacity}`;
  if (options.respectHours) {
    const calendar = rep.calendar ? own(view.team.calendars, rep.calendar) : undefined;
    if (!withinHours(calendar, view.now)) return 'outside hours';
  }
  return null;
}
