import type { HandoffNode } from '../nodes/handoff.ts';
import { subtractDuration, type Millis } from '../model/time.ts';
import type { Workspace } from '../model/workspace.ts';
import { allScores, scoreInput } from '../scores/score.ts';
import { eventsOf, type HistoryEvent } from '../conditions/timeline.ts';
import type { ContactRecord, HandoffContext, MessageRecord } from '../state/records.ts';

/**
 * What a handoff's context is made from: the contact, the run's path and messages and the node as they were
 * when it was created (the values, not the run: a step's draft run is changed in place).
 */
export interface ContextSource {
  contact: ContactRecord;
  now: Millis;
  path: string[];
  messages: MessageRecord[];
  node: HandoffNode;
  workspace: Workspace;
}

/** The story so far as a rep sees it (SPEC §5): traits, every score, the node's window of the timeline, the run. */
export function handoffContext({ contact, now, path, messages, node, workspace }: ContextSource): HandoffContext {
  return {
    traits: contact.traits,
    scores: allScores(workspace, scoreInput(contact, now)),
    timeline: timelineSince(contact, now, node),
    path,
    messages,
    talkTrack: node.context?.talkTrack ?? null,
    nextBestActions: node.context?.nextBestActions ?? [],
  };
}

function timelineSince(contact: ContactRecord, now: Millis, node: HandoffNode): HistoryEvent[] {
  const since = node.context?.timeline ? subtractDuration(now, node.context.timeline) : -Infinity;
  return eventsOf(contact).filter((e) => e.at >= since);
}

/**
 * The same context, built the first time it is read (issue #17). A simulation creates hundreds of thousands
 * of handoffs whose context nothing reads (its report does not show it), and building it at creation was a
 * copy of the timeline and every score, held until the contact left the store. What it is built from is
 * immutable (a step writes a new contact, path and message list rather than changing them), so it reads the
 * same whenever it is built. `toJSON` gives the plain object, so a store that writes JSON writes the context.
 */
export class LazyHandoffContext implements HandoffContext {
  private source: ContextSource | undefined;
  private built: HandoffContext | undefined;
  constructor(source: ContextSource) {
    this.source = source;
  }

  private get context(): HandoffContext {
    if (this.built === undefined) {
      this.built = handoffContext(this.source!);
      this.source = undefined;
    }
    return this.built;
  }
  get traits() {
    return this.context.traits;
  }
  get scores() {
    return this.context.scores;
  }
  get timeline() {
    return this.context.timeline;
  }
  get path() {
    return this.context.path;
  }
  get messages() {
    return this.context.messages;
  }
  get talkTrack() {
    return this.context.talkTrack;
  }
  get nextBestActions() {
    return this.context.nextBestActions;
  }
  toJSON(): HandoffContext {
    return this.context;
  }
}
