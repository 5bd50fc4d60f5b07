import type { ValidationError } from '@baton/engine';
import { nodeTypeDef } from '../nodeTypes/index.ts';
import { TRIGGER_NODE } from './convert.ts';
import { isRecord, type DraftJourney, type DraftNode } from './draft.ts';

/** Validation errors grouped by the canvas node they belong to (journey-level ones under the trigger). */
export function issuesByNode(errors: readonly ValidationError[]): Map<string, ValidationError[]> {
  const byNode = new Map<string, ValidationError[]>();
  for (const e of errors) {
    const key = e.node ?? TRIGGER_NODE;
    const list = byNode.get(key) ?? [];
    list.push(e);
    byNode.set(key, list);
  }
  return byNode;
}

const PORT_FIELD =
  /^(start|next|otherwise|onTimeout|onExpire|paths\[\d+\]\.next|variants\[\d+\]\.next|outcomes\.[^.]+)$/;

/** A step as a marketer knows it: its label, or its kind and id. */
export function stepName(node: DraftNode | undefined, id: string): string {
  if (node && typeof node.label === 'string' && node.label) return `"${node.label}"`;
  const title = node ? (nodeTypeDef(node.type)?.palette.title ?? node.type) : 'Step';
  return `${title} "${id}"`;
}

/** A port in words: "its path "Good fit"", "its outcome "meeting booked"", "its timeout". */
function portWords(node: DraftNode | undefined, field: string): string {
  const item = /^(paths|variants)\[(\d+)\]/.exec(field);
  if (item) {
    const list = node && Array.isArray(node[item[1]!]) ? (node[item[1]!] as unknown[]) : [];
    const entry = list[Number(item[2])];
    const label =
      isRecord(entry) && typeof entry.label === 'string' && entry.label
        ? entry.label
        : `${item[1] === 'paths' ? 'path' : 'variant'} ${Number(item[2]) + 1}`;
    return `its ${item[1] === 'paths' ? 'path' : 'variant'} "${label}"`;
  }
  if (field.startsWith('outcomes.')) return `its outcome "${field.slice(9).replace(/_/g, ' ')}"`;
  return (
    {
      start: 'the entry',
      next: 'its next step',
      otherwise: 'its "otherwise" path',
      onTimeout: 'its timeout',
      onExpire: 'its expiry',
    }[field] ?? field
  );
}

/** A field as the inspector labels it: "exit rule 2's outcome", "the URL to post to"; else as written. */
export function fieldWords(field: string): string {
  const rule = /^exitWhen\[(\d+)\](?:\.(\w+))?/.exec(field);
  if (rule) {
    const n = Number(rule[1]) + 1;
    return rule[2] === 'outcome'
      ? `exit rule ${n}'s outcome`
      : rule[2] === 'when'
        ? `exit rule ${n}'s condition`
        : `exit rule ${n}`;
  }
  if (field.startsWith('until.where')) return 'the condition on the event';
  if (field.startsWith('trigger.when')) return 'the entry condition';
  if (field.startsWith('params.traits')) return 'the traits to set';
  return (
    {
      reentry: 're-entry: the time between entries',
      'until.event': 'the event to wait for',
      'trigger.event': 'the event that starts the journey',
      'params.url': 'the URL to post to',
      'params.to': 'whom to notify',
      'params.template': 'the template',
      'params.whileHumanEngaged': 'whether to send while a rep works the contact',
    }[field] ?? field
  );
}

/** The engine's words for a problem, said as a marketer would, where it can be said better. */
function plainMessage(e: ValidationError, node: DraftNode | undefined, field: string): string {
  const m = e.message;
  const missing = /received undefined|expected string|is required|must be an id|must not be empty/i.test(m);
  if (PORT_FIELD.test(field) && missing) {
    return field === 'start'
      ? 'the entry leads nowhere yet: drag from its start to the first step'
      : `${portWords(node, field)} leads nowhere yet: drag from it to the next step`;
  }
  if (/cannot be reached from start/.test(m)) return 'nothing leads here yet: connect a step (or the entry) to it';
  if (/reaches an exit/.test(m)) return 'contacts here never reach an exit: lead one of its paths to an Exit';
  if (/form a cycle with no wait/.test(m))
    return `${m.replace(/^nodes /, 'the steps ').replace(/, so a contact would loop forever$/, '')}: ${/that takes time/.test(m) ? 'give its wait some time' : 'add a wait'}, so contacts do not loop forever`;
  if (/ISO 8601|duration/i.test(m))
    return `${field ? fieldWords(field) : 'a duration'} is not a duration: use a number and a unit, e.g. 3 days`;
  if (/^exitWhen\[\d+\]\.outcome$/.test(field) && /received undefined|must not be empty/i.test(m))
    return `${fieldWords(field)} is empty: name it, reports count the contacts who left this way under it`;
  if (field === 'params.url') return 'the URL to post to must be a web address starting with https:// (or http://)';
  if (field === 'params.to') return "choose whom to notify: the contact's owner or a rep";
  if (missing && /received undefined/.test(m)) return `${field || 'a field'} is required`;
  if (/^unknown (queue|rep)/.test(m)) return `${m.replace(/\(not in the team\)/, '')}: pick one of the team's`;
  const said = /^must not be empty$/.test(m) ? 'is empty' : m;
  return field ? `${fieldWords(field)}: ${said}` : said;
}

/**
 * A validation error in a marketer's words: which step (by its label, else its kind and id), then what
 * is wrong and what to do. Journey-level problems are the entry's.
 */
export function describeIssue(e: ValidationError, journey?: DraftJourney): string {
  const node = e.node ? journey?.nodes.find((n) => n.id === e.node) : undefined;
  const where = e.node ? stepName(node, e.node) : 'The entry';
  const field = e.path.replace(/^\$\.nodes\[\d+\]\.?/, '').replace(/^\$\.?/, '');
  return `${where}: ${plainMessage(e, node, field)}`;
}

/** The problems to show: one line per problem, and a port left open is one problem, not three. */
export function readableIssues(
  errors: readonly ValidationError[],
  journey?: DraftJourney,
): { node: string; text: string }[] {
  const out: { node: string; text: string; path: string }[] = [];
  for (const e of errors) {
    const text = describeIssue(e, journey);
    const open = text.includes('leads nowhere yet');
    const same = out.findIndex((o) => o.path === e.path);
    if (same >= 0) {
      if (open) out[same] = { node: e.node ?? TRIGGER_NODE, text, path: e.path };
      continue;
    }
    out.push({ node: e.node ?? TRIGGER_NODE, text, path: e.path });
  }
  return out.map(({ node, text }) => ({ node, text }));
}
