import type { Millis } from '../model/time.ts';
import type { Timeline } from './timeline.ts';

/** What a condition is evaluated against (SPEC §3): the contact's events are its timeline, oldest first. */
export interface EvalEnv extends Timeline {
  contactId: string;
  traits: Record<string, unknown>;
  /** The contact's current value of a score model, or undefined when no such model exists. */
  score(name: string): number | undefined;
  /** The event being handled, if any. */
  event?: { name: string; properties: Record<string, unknown> } | undefined;
  now: Millis;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Reads an own property path; inherited properties and prototype keys are never followed. */
export function readPath(root: unknown, segments: readonly string[], from = 0): unknown {
  let current = root;
  for (let i = from; i < segments.length; i++) {
    const key = segments[i] as string;
    if (current === null || typeof current !== 'object' || FORBIDDEN.has(key)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Resolves a dotted field (contact.x, score.x, event.name, event.properties.x) in an environment. */
export function readField(env: EvalEnv, segments: readonly string[]): unknown {
  const [root, first] = segments;
  if (root === 'contact') {
    if (first === 'id' && segments.length === 2 && !Object.hasOwn(env.traits, 'id')) return env.contactId;
    return readPath(env.traits, segments, 1);
  }
  if (root === 'score')
    return segments.length === 2 && first !== undefined && !FORBIDDEN.has(first) ? env.score(first) : undefined;
  if (root === 'event') {
    if (!env.event) return undefined;
    if (first === 'name' && segments.length === 2) return env.event.name;
    if (first === 'properties') return readPath(env.event.properties, segments, 2);
  }
  return undefined;
}
