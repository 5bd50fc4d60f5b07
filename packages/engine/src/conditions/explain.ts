import { Duration } from 'luxon';
import type { ConditionShape, EventRule, FieldRule } from '../model/condition.ts';
import { predicateFor } from './cache.ts';
import type { EvalEnv } from './env.ts';
import { readField } from './env.ts';
import { countEvents } from './evaluate.ts';
import { sharedText } from '../model/intern.ts';

const SYMBOL: Record<string, string> = {
  eq: '=',
  neq: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  in: 'in',
  nin: 'not in',
  contains: 'contains',
};
const NEGATED: Record<string, string> = {
  eq: '≠',
  neq: '=',
  gt: '≤',
  gte: '<',
  lt: '≥',
  lte: '>',
  in: 'not in',
  nin: 'in',
  contains: 'does not contain',
};

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return JSON.stringify(v) ?? 'nothing';
}

/**
 * Reasons are kept with the contact, so each is built as one flat string (a template literal leaves a rope
 * of its pieces, about 130 bytes more per reason), and contacts with the same reason share it.
 */
const text = sharedText;

function describeField(rule: FieldRule, env: EvalEnv, negated: boolean): string {
  const actual = readField(env, rule.field.split('.'));
  if (rule.op === 'exists') return text(rule.field, (rule.value === true) !== negated ? ' is set' : ' is not set');
  const op = (negated ? NEGATED : SYMBOL)[rule.op] ?? rule.op;
  return actual === undefined
    ? text(rule.field, ' is not set (', op, ' ', show(rule.value), ')')
    : text(rule.field, ' ', show(actual), ' ', op, ' ', show(rule.value));
}

const humanWindows = new Map<string, string>();
function humanWindow(iso: string): string {
  let text = humanWindows.get(iso);
  if (text === undefined) humanWindows.set(iso, (text = Duration.fromISO(iso).toHuman({ unitDisplay: 'long' })));
  return text;
}

function describeEvent(rule: EventRule, env: EvalEnv, negated: boolean): string {
  const where =
    rule.where && 'field' in rule.where && rule.where.op === 'eq'
      ? ` ${show(rule.where.value)}`
      : rule.where
        ? ' (matching)'
        : '';
  const within = rule.within ? ` in ${humanWindow(rule.within)}` : '';
  const count = countEvents(rule, rule.where ? predicateFor(rule.where) : null, env);
  const op = (negated ? NEGATED : SYMBOL)[rule.op ?? 'gte'] ?? rule.op ?? 'gte';
  return text(rule.event, where, ' ', count, '×', within, ' ', op, ' ', rule.value ?? 1);
}

/**
 * The conditions that held, in words, for a condition that holds: "score.fit 82 ≥ 70",
 * "Page Viewed /pricing 3× in 7 days ≥ 2". A rep reads these to know why a handoff fired.
 */
export function explainCondition(c: ConditionShape, env: EvalEnv, negated = false): string[] {
  if ('all' in c || 'any' in c) {
    const items = 'all' in c ? c.all : c.any;
    // "all" that holds (or a negated "any"): every part counts; "any" that holds: the first part that held.
    const everyPart = 'all' in c !== negated;
    if (everyPart) return items.flatMap((i) => explainCondition(i, env, negated));
    const first = items.find((i) => predicateFor(i)(env) !== negated);
    return first ? explainCondition(first, env, negated) : [];
  }
  if ('not' in c) return explainCondition(c.not, env, !negated);
  if ('field' in c) return [describeField(c, env, negated)];
  return [describeEvent(c, env, negated)];
}
