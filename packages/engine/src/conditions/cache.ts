import type { ConditionShape } from '../model/condition.ts';
import type { Predicate } from './evaluate.ts';
import { compileCondition } from './evaluate.ts';

const cache = new WeakMap<object, Predicate>();

/** The compiled predicate of a condition object, compiled once per object. */
export function predicateFor(condition: ConditionShape): Predicate {
  let p = cache.get(condition);
  if (!p) {
    p = compileCondition(condition);
    cache.set(condition, p);
  }
  return p;
}
