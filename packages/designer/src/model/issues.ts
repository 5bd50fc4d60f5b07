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

/** A validation error in a marketer's words: where, then what. */
export function describeIssue(e: ValidationError): string {
  const where = e.node ? `${e.node}` : 'journey';
  const field = e.path.replace(/^\$\.nodes\[\d+\]\.?/, '').replace(/^\$\.?/, '');
  return `${where}${field ? ` · ${field}` : ''}: ${e.message}`;
}
