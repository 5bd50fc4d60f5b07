import { z } from 'zod';
import { isIsoDuration, isObject } from './primitives.ts';

/** Operators of a field rule (SPEC §3). */
export const FIELD_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'exists'] as const;
export type FieldOp = (typeof FIELD_OPS)[number];
/** Operators that compare an event count with a number. */
export const COUNT_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export type CountOp = (typeof COUNT_OPS)[number];

/** The deepest nesting of groups a condition may have. */
export const MAX_CONDITION_DEPTH = 32;

export interface FieldRule {
  field: string;
  op: FieldOp;
  value?: unknown;
}
export interface EventRule {
  event: string;
  where?: ConditionShape;
  within?: string;
  op?: CountOp;
  value?: number;
}
export type ConditionShape =
  | { all: ConditionShape[] }
  | { any: ConditionShape[] }
  | { not: ConditionShape }
  | FieldRule
  | EventRule;

/** Roots a field path may start with, by where the condition is used. */
export type FieldScope = 'journey' | 'event' | 'score';
const ROOTS: Record<FieldScope, readonly string[]> = {
  journey: ['contact', 'score', 'event'],
  event: ['event'],
  score: ['contact', 'event'],
};

/** One structural problem in a condition, with a path relative to the condition. */
export interface ConditionProblem {
  path: (string | number)[];
  message: string;
}

function unknownKeys(
  v: Record<string, unknown>,
  allowed: readonly string[],
  path: (string | number)[],
  out: ConditionProblem[],
) {
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key))
      out.push({ path: [...path, key], message: `unknown field "${key}"; expected one of ${allowed.join(', ')}` });
  }
}

function checkField(v: Record<string, unknown>, path: (string | number)[], scope: FieldScope, out: ConditionProblem[]) {
  unknownKeys(v, ['field', 'op', 'value'], path, out);
  const field = v.field;
  if (typeof field !== 'string' || !/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)+$/.test(field)) {
    out.push({ path: [...path, 'field'], message: 'must be a dotted path such as contact.employees' });
  } else {
    const root = field.slice(0, field.indexOf('.'));
    if (!ROOTS[scope].includes(root)) {
      out.push({
        path: [...path, 'field'],
        message: `must start with ${ROOTS[scope].map((r) => `${r}.`).join(' or ')} here, not "${root}."`,
      });
    }
  }
  const op = v.op;
  if (typeof op !== 'string' || !(FIELD_OPS as readonly string[]).includes(op)) {
    out.push({
      path: [...path, 'op'],
      message: `unknown op ${JSON.stringify(op)}; expected one of ${FIELD_OPS.join(', ')}`,
    });
    return;
  }
  const value = v.value;
  if ((op === 'in' || op === 'nin') && !Array.isArray(value)) {
    out.push({ path: [...path, 'value'], message: `op "${op}" needs an array value` });
  } else if (op === 'exists' && typeof value !== 'boolean') {
    out.push({ path: [...path, 'value'], message: 'op "exists" needs value true or false' });
  } else if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof value !== 'number' && typeof value !== 'string') {
    out.push({ path: [...path, 'value'], message: `op "${op}" needs a number or string value` });
  } else if (['eq', 'neq', 'contains'].includes(op) && !('value' in v)) {
    out.push({ path: [...path, 'value'], message: `op "${op}" needs a value` });
  }
}

function checkEvent(v: Record<string, unknown>, path: (string | number)[], depth: number, out: ConditionProblem[]) {
  unknownKeys(v, ['event', 'where', 'within', 'op', 'value'], path, out);
  if (typeof v.event !== 'string' || v.event.length === 0)
    out.push({ path: [...path, 'event'], message: 'must be a non-empty event name' });
  if ('where' in v) walk(v.where, [...path, 'where'], depth + 1, 'event', out);
  if ('within' in v && (typeof v.within !== 'string' || !isIsoDuration(v.within))) {
    out.push({ path: [...path, 'within'], message: 'must be an ISO 8601 duration such as P7D' });
  }
  if ('op' in v && !(COUNT_OPS as readonly unknown[]).includes(v.op)) {
    out.push({
      path: [...path, 'op'],
      message: `unknown op ${JSON.stringify(v.op)} for an event count; expected one of ${COUNT_OPS.join(', ')}`,
    });
  }
  if ('value' in v && (typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0)) {
    out.push({ path: [...path, 'value'], message: 'must be a whole number of events, 0 or more' });
  }
}

function walk(v: unknown, path: (string | number)[], depth: number, scope: FieldScope, out: ConditionProblem[]): void {
  if (depth > MAX_CONDITION_DEPTH) {
    out.push({ path, message: `conditions may nest at most ${MAX_CONDITION_DEPTH} levels deep` });
    return;
  }
  if (!isObject(v)) {
    out.push({ path, message: 'must be a condition object (all, any, not, a field rule or an event rule)' });
    return;
  }
  for (const group of ['all', 'any'] as const) {
    if (group in v) {
      unknownKeys(v, [group], path, out);
      const items = v[group];
      if (!Array.isArray(items))
        out.push({ path: [...path, group], message: `"${group}" must be an array of conditions` });
      else items.forEach((item, i) => walk(item, [...path, group, i], depth + 1, scope, out));
      return;
    }
  }
  if ('not' in v) {
    unknownKeys(v, ['not'], path, out);
    walk(v.not, [...path, 'not'], depth + 1, scope, out);
    return;
  }
  if ('field' in v) return checkField(v, path, scope, out);
  if ('event' in v) {
    if (scope !== 'journey') {
      out.push({ path, message: 'event-count rules are not allowed here' });
      return;
    }
    return checkEvent(v, path, depth, out);
  }
  out.push({ path, message: 'must have one of all, any, not, field or event' });
}

/** Every structural problem of a condition at once; empty when it is well formed. */
export function conditionProblems(value: unknown, scope: FieldScope = 'journey'): ConditionProblem[] {
  const out: ConditionProblem[] = [];
  walk(value, [], 1, scope, out);
  return out;
}

function conditionSchema(scope: FieldScope) {
  return z
    .custom<ConditionShape>(() => true)
    .superRefine((value, ctx) => {
      for (const p of conditionProblems(value, scope))
        ctx.addIssue({ code: 'custom', message: p.message, path: p.path });
    });
}

/** A condition over contact.*, score.* and event.* with event-count rules (SPEC §3). */
export const Condition = conditionSchema('journey');
export type Condition = z.infer<typeof Condition>;
/** A condition inside a score rule: score.* is not readable there, so scores never depend on each other. */
export const ScoreRuleCondition = conditionSchema('score');
/** A condition over a single event (`where` of event rules and score events). */
export const EventCondition = conditionSchema('event');
