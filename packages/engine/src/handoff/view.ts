import { formatInstant } from '../model/time.ts';
import type { HandoffRecord } from '../state/records.ts';
import { reportHandoff } from './report.ts';

/**
 * Everything a rep sees about a handoff (SPEC §5, "the record a human sees"), as JSON: the §8 fields,
 * who and where, the outcomes they can log, and the context with the timeline's instants as ISO strings.
 * The server adds links; the designer's simulation shows it as the rep will.
 */
export function handoffRecordView(h: HandoffRecord) {
  return {
    ...reportHandoff(h),
    id: h.id,
    title: h.title,
    priority: h.priority,
    contactId: h.contactId,
    journey: h.journeyId,
    version: h.version,
    team: h.team,
    status: h.status,
    outcomes: h.outcomes,
    value: h.value,
    context: {
      // Field by field: a context built when first read (LazyHandoffContext) has no own fields to spread.
      traits: h.context.traits,
      scores: h.context.scores,
      timeline: h.context.timeline.map((e) => ({ name: e.name, at: formatInstant(e.at), properties: e.properties })),
      path: h.context.path,
      messages: h.context.messages,
      talkTrack: h.context.talkTrack,
      nextBestActions: h.context.nextBestActions,
    },
  };
}
