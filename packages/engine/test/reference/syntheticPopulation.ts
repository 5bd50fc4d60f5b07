// The synthetic population as it was generated before issue #17 (every event an object, up front): the
// reference the compact schedule (src/sim/population.ts) is held to, event for event.
import type { ConditionShape } from '../../src/model/condition.ts';
import { dictionary } from '../../src/model/dictionary.ts';
import type { Journey } from '../../src/nodes/journey.ts';
import type { Team } from '../../src/model/team.ts';
import type { Workspace } from '../../src/model/workspace.ts';
import type { Millis } from '../../src/model/time.ts';
import type { Population, TraitDistribution } from '../../src/model/population.ts';
import { exponential } from '../../src/sim/random.ts';

/** One thing a synthetic contact does, at an instant. */
export type SyntheticEvent =
  | { at: Millis; type: 'track'; userId: string; event: string; properties: Record<string, unknown> }
  | { at: Millis; type: 'identify'; userId: string; traits: Record<string, unknown> };

type Rule = { op: string; value?: unknown };

function collect(
  c: ConditionShape | undefined,
  root: string,
  into: Map<string, Rule[]>,
  events?: Map<string, number>,
): void {
  if (!c) return;
  if ('all' in c) c.all.forEach((x) => collect(x, root, into, events));
  else if ('any' in c) c.any.forEach((x) => collect(x, root, into, events));
  else if ('not' in c) collect(c.not, root, into, events);
  else if ('field' in c) {
    if (c.field.startsWith(root) && c.field.split('.').length === root.split('.').length) {
      const key = c.field.slice(root.length);
      into.set(key, [...(into.get(key) ?? []), { op: c.op, value: c.value }]);
    }
  } else if (events) events.set(c.event, Math.max(events.get(c.event) ?? 0, (c.value ?? 1) * 2));
}

/** A value for a field that the rules sometimes satisfy and sometimes not, so every path gets traffic. */
function sample(rules: Rule[], random: () => number): unknown {
  const choices = rules.flatMap((r) =>
    r.op === 'in' || r.op === 'nin'
      ? (r.value as unknown[])
      : ['eq', 'neq', 'contains'].includes(r.op)
        ? [r.value]
        : [],
  );
  const numbers = rules.map((r) => r.value).filter((v): v is number => typeof v === 'number');
  if (numbers.length > 0 && random() < 0.8) return Math.round(random() * Math.max(...numbers, 10) * 2);
  if (choices.length > 0) return random() < 0.85 ? choices[Math.floor(random() * choices.length)] : 'other';
  return random() < 0.7 ? 'yes' : undefined;
}

function sampleAll(rules: Map<string, Rule[]>, random: () => number): Record<string, unknown> {
  const out = dictionary<unknown>();
  for (const [field, r] of rules) {
    const v = sample(r, random);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/** A standard normal draw (Box–Muller). */
const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** One draw from a trait distribution the user set. */
export function drawTrait(d: TraitDistribution, random: () => number): string | number | boolean {
  if ('oneOf' in d) {
    const total = d.oneOf.reduce((sum, o) => sum + o.weight, 0);
    let r = random() * total;
    for (const o of d.oneOf) if ((r -= o.weight) < 0) return o.value;
    return d.oneOf[d.oneOf.length - 1]!.value;
  }
  const [x, whole] =
    'uniform' in d
      ? [
          d.uniform.min + random() * (d.uniform.max - d.uniform.min),
          Number.isInteger(d.uniform.min) && Number.isInteger(d.uniform.max),
        ]
      : [
          d.normal.mean + gaussian(random) * d.normal.sd,
          Number.isInteger(d.normal.mean) && Number.isInteger(d.normal.sd),
        ];
  return whole ? Math.round(x) : Math.round(x * 100) / 100;
}

/**
 * A synthetic population for the given journeys: traits drawn from the values their conditions name (so
 * every branch sees traffic), each contact's trigger event in the first week, the events pauses and
 * event-count rules wait for at random times, and owners drawn from the team. What `model` sets (trait
 * distributions, event rates) replaces what would be derived for those traits and events.
 */
export function syntheticPopulation(
  journeys: readonly Journey[],
  team: Team | undefined,
  workspace: Workspace,
  contacts: number,
  start: Millis,
  days: number,
  random: () => number,
  model: Population = { traits: {}, events: {}, reps: { acceptRate: 0.9, acceptHours: 3, outcomeHours: 24 } },
): SyntheticEvent[] {
  const traits = new Map<string, Rule[]>();
  const counted = new Map<string, number>();
  for (const model of Object.values(workspace.scores)) {
    model.rules?.forEach((r) => collect(r.when, 'contact.', traits));
    model.events?.forEach((e) => counted.set(e.event, Math.max(counted.get(e.event) ?? 0, 3)));
  }
  const awaited = new Map<string, Map<string, Rule[]>>();
  const owners = new Set<string>();
  for (const j of journeys) {
    collect(j.trigger.when, 'contact.', traits, counted);
    for (const n of j.nodes) {
      if (n.type === 'branch') n.paths.forEach((p) => collect(p.when, 'contact.', traits, counted));
      if (n.type === 'handoff') {
        n.route.forEach((r) => {
          collect(r.when, 'contact.', traits);
          if ('owner' in r.to) owners.add(r.to.owner.slice('contact.'.length));
        });
      }
      if (n.type === 'pause') {
        const props = awaited.get(n.until.event) ?? new Map<string, Rule[]>();
        collect(n.until.where, 'event.properties.', props);
        awaited.set(n.until.event, props);
      }
    }
  }
  for (const o of owners) traits.delete(o);
  for (const t of Object.keys(model.traits)) traits.delete(t);
  // The property rules each journey's trigger puts on its event.
  const triggerWhen = journeys.map((j) => {
    const when = new Map<string, Rule[]>();
    collect(j.trigger.when, 'event.properties.', when);
    return when;
  });
  // Rated events: a Poisson process per contact, with properties that meet the trigger's and pauses' rules.
  const rates = Object.entries(model.events)
    .filter(([, r]) => r.perWeek > 0)
    .map(([event, { perWeek, properties }]) => {
      const when = new Map(awaited.get(event));
      const triggers = journeys.flatMap((j, k) => (j.trigger.event === event ? [triggerWhen[k]!] : []));
      for (const t of triggers) t.forEach((rules, key) => when.set(key, [...(when.get(key) ?? []), ...rules]));
      return { event, mean: (7 * 86_400_000) / perWeek, trigger: triggers.length > 0, when, properties };
    });
  for (const e of Object.keys(model.events)) {
    awaited.delete(e);
    counted.delete(e);
  }
  // Fields that titles show (contact.company) get a readable filler when no condition says more.
  const shown = new Set<string>();
  for (const j of journeys)
    for (const n of j.nodes)
      if (n.type === 'handoff' && n.title)
        for (const m of n.title.matchAll(/\{\{\s*contact\.([A-Za-z0-9_$-]+)\s*\}\}/g)) shown.add(m[1]!);
  const reps = team?.reps.map((r) => r.id) ?? [];
  const horizon = days * 86_400_000;
  const events: SyntheticEvent[] = [];
  for (let i = 0; i < contacts; i++) {
    const userId = `synthetic-${i + 1}`;
    const profile = sampleAll(traits, random);
    for (const [t, d] of Object.entries(model.traits)) profile[t] = drawTrait(d, random);
    for (const o of owners)
      if (reps.length > 0 && random() < 0.5) profile[o] = reps[Math.floor(random() * reps.length)];
    for (const f of shown) if (!Object.hasOwn(profile, f)) profile[f] = `${f[0]!.toUpperCase()}${f.slice(1)} ${i + 1}`;
    const second = (ms: number) => Math.round(ms / 1000) * 1000;
    const enter = start + second(random() * Math.min(horizon, 7 * 86_400_000));
    events.push({ at: start, type: 'identify', userId, traits: profile });
    journeys.forEach((j, k) => {
      if (j.trigger.event === 'Contact Updated') return; // the identify above is the trigger
      if (Object.hasOwn(model.events, j.trigger.event)) return; // happens at its rate, below
      events.push({
        at: enter,
        type: 'track',
        userId,
        event: j.trigger.event,
        properties: sampleAll(triggerWhen[k]!, random),
      });
    });
    for (const [event, props] of awaited) {
      if (random() < 0.6)
        events.push({
          at: enter + second(exponential(random, 2 * 86_400_000)),
          type: 'track',
          userId,
          event,
          properties: sampleAll(props, random),
        });
    }
    for (const [event, max] of counted) {
      const n = Math.floor(random() * (max + 1));
      for (let k = 0; k < n; k++)
        events.push({
          at: enter + second((random() - 0.5) * 6 * 86_400_000),
          type: 'track',
          userId,
          event,
          properties: {},
        });
    }
    for (const { event, mean, trigger, when, properties } of rates) {
      // A trigger event's first occurrence is the contact's entry; other events start once it has entered.
      for (
        let at = (trigger ? start : enter) + second(exponential(random, mean));
        at <= start + horizon;
        at += second(exponential(random, mean))
      ) {
        events.push({ at, type: 'track', userId, event, properties: { ...sampleAll(when, random), ...properties } });
      }
    }
  }
  return events
    .filter((e) => e.at >= start && e.at <= start + horizon)
    .sort((a, b) => a.at - b.at || (a.userId < b.userId ? -1 : 1));
}
