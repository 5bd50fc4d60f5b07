import type { ConditionShape, CountOp, EventRule, FieldRule } from '../model/condition.ts';
import { conditionProblems } from '../model/condition.ts';
import { subtractDuration } from '../model/time.ts';
import type { EvalEnv } from './env.ts';
import { readField } from './env.ts';
import { NONE, countBefore, nameIndex } from './timeline.ts';

/** A condition compiled once into a predicate. */
export type Predicate = (env: EvalEnv) => boolean;

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function ordered(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

/** Applies a field operator to a value that was read (undefined when missing). */
export function compareField(op: FieldRule['op'], actual: unknown, expected: unknown): boolean {
  if (op === 'exists') return (actual !== undefined && actual !== null) === (expected === true);
  if (actual === undefined) return op === 'neq' || op === 'nin';
  switch (op) {
    case 'eq':
      return same(actual, expected);
    case 'neq':
      return !same(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => same(actual, e));
    case 'nin':
      return !Array.isArray(expected) || !expected.some((e) => same(actual, e));
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
      return Array.isArray(actual) && actual.some((a) => same(a, expected));
    default: {
      const d = ordered(actual, expected);
      if (d === null) return false;
      return op === 'gt' ? d > 0 : op === 'gte' ? d >= 0 : op === 'lt' ? d < 0 : d <= 0;
    }
  }
}

/** Compares an event count with a number. */
export function compareCount(op: CountOp, count: number, value: number): boolean {
  switch (op) {
    case 'eq':
      return count === value;
    case 'neq':
      return count !== value;
    case 'gt':
      return count > value;
    case 'gte':
      return count >= value;
    case 'lt':
      return count < value;
    case 'lte':
      return count <= value;
  }
}

function compileField(rule: FieldRule): Predicate {
  const segments = rule.field.split('.');
  const { op, value } = rule;
  return (env) => compareField(op, readField(env, segments), value);
}

/**
 * Counts the contact's events that an event rule selects: those of its name, at or before now and, with a
 * window, at or after its start. `recent` is walked; `history` is read through its name index (only the
 * rule's events, and without a `where` by binary search), or walked when it is short.
 */
export function countEvents(rule: EventRule, where: Predicate | null, env: EvalEnv): number {
  const since = rule.within ? subtractDuration(env.now, rule.within) : -Infinity;
  const now = env.now;
  let count = 0;
  // Newest first, until the window's start (the timeline is in time order).
  const recent = env.recent ?? NONE;
  for (let i = recent.length - 1; i >= 0; i--) {
    const e = recent[i]!;
    if (e.at < since) return count;
    if (e.at > now || e.name !== rule.event) continue;
    if (where && !where({ ...env, event: { name: e.name, properties: e.properties } })) continue;
    count++;
  }
  const { history } = env;
  const ix = nameIndex(history);
  if (ix === null) {
    for (let i = history.length - 1; i >= 0; i--) {
      const e = history[i]!;
      if (e.at < since) return count;
      if (e.at > now || e.name !== rule.event) continue;
      if (where && !where({ ...env, event: { name: e.name, properties: e.properties } })) continue;
      count++;
    }
    return count;
  }
  const seqs = ix.byName!.get(rule.event);
  if (seqs === undefined) return count;
  if (where === null)
    return count + countBefore(history, ix, seqs, now, true) - countBefore(history, ix, seqs, since, false);
  for (let k = seqs.end - 1; k >= seqs.start; k--) {
    const e = history[seqs.buf[k]! - ix.offset]!;
    if (e.at < since) return count;
    if (e.at > now) continue;
    if (!where({ ...env, event: { name: e.name, properties: e.properties } })) continue;
    count++;
  }
  return count;
}

function compileEvent(rule: EventRule): Predicate {
  const where = rule.where ? compileCondition(rule.where) : null;
  const op = rule.op ?? 'gte';
  const value = rule.value ?? 1;
  return (env) => compareCount(op, countEvents(rule, where, env), value);
}

/** Compiles a well-formed condition into a predicate (validate it first with conditionProblems). */
export function compileCondition(c: ConditionShape): Predicate {
  if ('all' in c) {
    const parts = c.all.map(compileCondition);
    return (env) => parts.every((p) => p(env));
  }
  if ('any' in c) {
    const parts = c.any.map(compileCondition);
    return (env) => parts.some((p) => p(env));
  }
  if ('not' in c) {
    const inner = compileCondition(c.not);
    return (env) => !inner(env);
  }
  if ('field' in c) return compileField(c);
  return compileEvent(c);
}

/** The typed error for a condition that is not well formed. */
export class ConditionError extends Error {
  constructor(readonly problems: { path: (string | number)[]; message: string }[]) {
    super(`invalid condition: ${problems.map((p) => `${p.path.join('.') || '(root)'} ${p.message}`).join('; ')}`);
    this.name = 'ConditionError';
  }
}

/** Evaluates untrusted JSON as a condition: a boolean, or a ConditionError when it is malformed. */
export function evaluateCondition(condition: unknown, env: EvalEnv): boolean | ConditionError {
  const problems = conditionProblems(condition);
  if (problems.length > 0) return new ConditionError(problems);
  return compileCondition(condition as ConditionShape)(env);
}
