import type { ValidationError } from '@baton/engine';
import { TRIGGER_NODE } from './convert.ts';

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

const PORT_FIELD = /^(start|next|otherwise|onTimeout|onExpire|paths\[\d+\]\.next|variants\[\d+\]\.next|outcomes\.[^.]+)$/;

/** A validation error in a marketer's words: where, then what (a port left open says so plainly). */
export function describeIssue(e: ValidationError): string {
  const where = e.node ? `${e.node}` : 'journey';
  const field = e.path.replace(/^\$\.nodes\[\d+\]\.?/, '').replace(/^\$\.?/, '');
  const missing = /received undefined|expected string|must be an id|must not be empty/i.test(e.message);
  const message = PORT_FIELD.test(field) && missing ? 'not connected yet: drag from this port to the next step' : missing && /received undefined/.test(e.message) ? 'is required' : e.message;
  return `${where}${field ? ` · ${field}` : ''}: ${message}`;
}

/** The problems to show: one line per problem, and a port left open is one problem, not three. */
export function readableIssues(errors: readonly ValidationError[]): { node: string; text: string }[] {
  const out: { node: string; text: string; path: string }[] = [];
  for (const e of errors) {
    const text = describeIssue(e);
    const open = text.includes('not connected yet');
    const same = out.findIndex((o) => o.path === e.path);
    if (same >= 0) {
      if (open) out[same] = { node: e.node ?? TRIGGER_NODE, text, path: e.path };
      continue;
    }
    out.push({ node: e.node ?? TRIGGER_NODE, text, path: e.path });
  }
  return out.map(({ node, text }) => ({ node, text }));
}
