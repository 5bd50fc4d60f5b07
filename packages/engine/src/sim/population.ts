import type { ConditionShape } from '../model/condition.ts';
import type { Journey } from '../nodes/journey.ts';
import type { Team } from '../model/team.ts';
import type { Workspace } from '../model/workspace.ts';
import type { Millis } from '../model/time.ts';
import type { Population, TraitDistribution } from '../model/population.ts';
import { CONTACT_UPDATED } from '../state/records.ts';
import { exponential, seededRandom, type SeededRandom } from './random.ts';

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

/** A field to fill and what its rules name: the values they compare with, and the scale of numbers around them. */
interface Field {
  field: string;
  choices: unknown[];
  /** Numbers are drawn from 0 to twice this (null: the rules name no number). */
  scale: number | null;
}

/** The fields rules name, with their choices worked out once (they are drawn millions of times). */
function fieldsOf(rules: Map<string, Rule[]>): Field[] {
  return [...rules].map(([field, rs]) => {
    const numbers = rs.map((r) => r.value).filter((v): v is number => typeof v === 'number');
    return {
      field,
      choices: rs.flatMap((r) =>
        r.op === 'in' || r.op === 'nin'
          ? (r.value as unknown[])
          : ['eq', 'neq', 'contains'].includes(r.op)
            ? [r.value]
            : [],
      ),
      scale: numbers.length > 0 ? Math.max(...numbers, 10) : null,
    };
  });
}

/** A value for a field that the rules sometimes satisfy and sometimes not, so every path gets traffic. */
function sample({ choices, scale }: Field, random: () => number): unknown {
  if (scale !== null && random() < 0.8) return Math.round(random() * scale * 2);
  if (choices.length > 0) return random() < 0.85 ? choices[Math.floor(random() * choices.length)] : 'other';
  return random() < 0.7 ? 'yes' : undefined;
}

/**
 * Sets an own property of an ordinary object, `__proto__` too (defined, not assigned, so it never replaces
 * the prototype). Drawn traits and properties are ordinary objects: the timeline keeps them, and V8 keeps a
 * prototype-less object as a hash table (copying each one out of that was 5% of a population run, issue #17).
 */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function sampleAll(fields: readonly Field[], random: () => number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = sample(f, random);
    if (v !== undefined) setOwn(out, f.field, v);
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

/** A kind of event a synthetic contact does, and how its traits or properties are drawn. */
interface Template {
  type: 'track' | 'identify';
  event: string;
  /** Draws the traits (identify) or properties (track) of one contact's event, `i` being the contact's index. */
  draw: (i: number, random: () => number) => Record<string, unknown>;
}

/** What a population's contacts are like, derived once from the journeys, the team and the model. */
interface Plan {
  templates: Template[];
  /** Template indexes: each journey's trigger (-1: none of its own), each awaited and counted event, each rate. */
  triggers: number[];
  awaited: number[];
  counted: { template: number; max: number }[];
  rates: { template: number; mean: number; trigger: boolean }[];
  start: Millis;
  horizon: Millis;
}

const second = (ms: number) => Math.round(ms / 1000) * 1000;

/** The id of the contact with index `i`. */
export const syntheticUserId = (i: number) => `synthetic-${i + 1}`;

function populationPlan(
  journeys: readonly Journey[],
  team: Team | undefined,
  workspace: Workspace,
  start: Millis,
  days: number,
  model: Population,
): Plan {
  const traits = new Map<string, Rule[]>();
  const counted = new Map<string, number>();
  for (const model of Object.values(workspace.scores)) {
    model.rules?.forEach((r) => collect(r.when, 'contact.', traits));
    model.events?.forEach((e) => counted.set(e.event, Math.max(counted.get(e.event) ?? 0, 3)));
  }
  const awaited = new Map<string, Map<string, Rule[]>>();
  const owners = new Set<string>();
  // The teams whose handoffs go to a contact's owner: owners are drawn from their reps.
  const ownerTeams = new Set<string>();
  for (const j of journeys) {
    collect(j.trigger.when, 'contact.', traits, counted);
    for (const n of j.nodes) {
      if (n.type === 'branch') n.paths.forEach((p) => collect(p.when, 'contact.', traits, counted));
      if (n.type === 'handoff') {
        n.route.forEach((r) => {
          collect(r.when, 'contact.', traits);
          if ('owner' in r.to) {
            owners.add(r.to.owner.slice('contact.'.length));
            ownerTeams.add(n.team);
          }
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
  const rated = Object.entries(model.events)
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
  // A contact's owner is a rep of the team their handoff goes to (a service rep does not own a sales lead);
  // every rep when no rep is of that team.
  const ofTeam = team?.reps.filter((r) => r.team !== undefined && ownerTeams.has(r.team)) ?? [];
  const reps = (ofTeam.length > 0 ? ofTeam : (team?.reps ?? [])).map((r) => r.id);
  const modelTraits = Object.entries(model.traits);
  const traitFields = fieldsOf(traits);
  const triggerFields = triggerWhen.map(fieldsOf);
  const templates: Template[] = [
    {
      type: 'identify',
      event: CONTACT_UPDATED,
      draw: (i, random) => {
        const profile = sampleAll(traitFields, random);
        for (const [t, d] of modelTraits) setOwn(profile, t, drawTrait(d, random));
        for (const o of owners)
          if (reps.length > 0 && random() < 0.5) setOwn(profile, o, reps[Math.floor(random() * reps.length)]);
        for (const f of shown)
          if (!Object.hasOwn(profile, f)) setOwn(profile, f, [f[0]!.toUpperCase(), f.slice(1), ' ', i + 1].join('')); // (flat: a template literal leaves a rope of its pieces)
        return profile;
      },
    },
  ];
  const add = (t: Template) => templates.push(t) - 1;
  const triggers = journeys.map((j, k) =>
    j.trigger.event === CONTACT_UPDATED || Object.hasOwn(model.events, j.trigger.event)
      ? -1 // the identify is the trigger, or the trigger happens at its rate
      : add({ type: 'track', event: j.trigger.event, draw: (_, random) => sampleAll(triggerFields[k]!, random) }),
  );
  return {
    templates,
    triggers,
    awaited: [...awaited].map(([event, props]) => {
      const fields = fieldsOf(props);
      return add({ type: 'track', event, draw: (_, random) => sampleAll(fields, random) });
    }),
    counted: [...counted].map(([event, max]) => ({
      template: add({ type: 'track', event, draw: () => ({}) }),
      max,
    })),
    rates: rated.map(({ event, mean, trigger, when, properties }) => {
      const fields = fieldsOf(when);
      return {
        template: add({ type: 'track', event, draw: (_, random) => ({ ...sampleAll(fields, random), ...properties }) }),
        mean,
        trigger,
      };
    }),
    start,
    horizon: days * 86_400_000,
  };
}

/**
 * Draws one contact's events in the order they are made, each as `put(at, template)` just before its traits
 * or properties are drawn. `put` must draw them (it advances `random` past them).
 */
function drawContact(plan: Plan, random: () => number, put: (at: Millis, template: number) => void): void {
  const { start, horizon } = plan;
  put(start, 0);
  const enter = start + second(random() * Math.min(horizon, 7 * 86_400_000));
  for (const t of plan.triggers) if (t >= 0) put(enter, t);
  for (const t of plan.awaited) if (random() < 0.6) put(enter + second(exponential(random, 2 * 86_400_000)), t);
  for (const { template, max } of plan.counted) {
    const n = Math.floor(random() * (max + 1));
    for (let k = 0; k < n; k++) put(enter + second((random() - 0.5) * 6 * 86_400_000), template);
  }
  for (const { template, mean, trigger } of plan.rates) {
    // A trigger event's first occurrence is the contact's entry; other events start once it has entered.
    for (
      let at = (trigger ? start : enter) + second(exponential(random, mean));
      at <= start + horizon;
      at += second(exponential(random, mean))
    )
      put(at, template);
  }
}

/**
 * A population's events in the order they happen, kept compact (issue #17): per event its instant, its
 * contact, its kind and the generator's position where its traits or properties are drawn (about 20
 * bytes), so an event becomes an object only when it is applied, and is then drawn exactly as it was
 * the first time. Events at the same instant come in the order of their contacts' ids, and a contact's
 * own events at one instant in the order they were made.
 */
export class SyntheticSchedule {
  constructor(
    private readonly plan: Plan,
    /** How many contacts. */
    readonly contacts: number,
    /** When each event happens, in order. */
    readonly at: Float64Array,
    /** The index of each event's contact (its id is `syntheticUserId(index)`). */
    readonly contact: Uint32Array,
    private readonly template: Uint32Array,
    private readonly state: Uint32Array,
  ) {}

  private readonly random = seededRandom(0);

  /** How many events. */
  get length(): number {
    return this.at.length;
  }

  /** Whether event `k` is an identify (else a track), without drawing it. */
  isIdentify(k: number): boolean {
    return this.plan.templates[this.template[k]!]!.type === 'identify';
  }

  /**
   * Event `k`, drawn as it was when the population was made. `userId`: its contact's id, when the caller has
   * it (a new id string is hashed again by every map that looks it up).
   */
  event(k: number, userId = syntheticUserId(this.contact[k]!)): SyntheticEvent {
    const i = this.contact[k]!;
    const t = this.plan.templates[this.template[k]!]!;
    this.random.seek(this.state[k]!);
    const drawn = t.draw(i, this.random); // a new ordinary object (see setOwn)
    const at = this.at[k]!;
    return t.type === 'identify'
      ? { at, type: 'identify', userId, traits: drawn }
      : { at, type: 'track', userId, event: t.event, properties: drawn };
  }
}

/** Calls `visit` with each contact's index in the order of their ids as strings (synthetic-1, synthetic-10, …). */
export function inIdOrder(contacts: number, visit: (i: number) => void): void {
  const walk = (n: number): void => {
    visit(n - 1);
    for (let d = 0; d < 10 && n * 10 + d <= contacts; d++) walk(n * 10 + d);
  };
  for (let n = 1; n <= 9 && n <= contacts; n++) walk(n);
}

/** Each contact's position in the order of their ids as strings. */
function idRanks(contacts: number): Uint32Array {
  const rank = new Uint32Array(contacts);
  let next = 0;
  inIdOrder(contacts, (i) => {
    rank[i] = next++;
  });
  return rank;
}

/**
 * A synthetic population for the given journeys: traits drawn from the values their conditions name (so
 * every branch sees traffic), each contact's trigger event in the first week, the events pauses and
 * event-count rules wait for at random times, and owners drawn from the team. What `model` sets (trait
 * distributions, event rates) replaces what would be derived for those traits and events. Draws from
 * `random`, contact after contact, and leaves it where the last contact's draws end.
 */
export function syntheticPopulation(
  journeys: readonly Journey[],
  team: Team | undefined,
  workspace: Workspace,
  contacts: number,
  start: Millis,
  days: number,
  random: SeededRandom,
  model: Population = { traits: {}, events: {}, reps: { acceptRate: 0.9, acceptHours: 3, outcomeHours: 24 } },
): SyntheticSchedule {
  const plan = populationPlan(journeys, team, workspace, start, days, model);
  const at: number[] = [];
  const contact: number[] = [];
  const template: number[] = [];
  const state: number[] = [];
  const end = start + plan.horizon;
  for (let i = 0; i < contacts; i++) {
    drawContact(plan, random, (when, t) => {
      if (when >= start && when <= end) {
        at.push(when);
        contact.push(i);
        template.push(t);
        state.push(random.state());
      }
      plan.templates[t]!.draw(i, random);
    });
  }
  const rank = idRanks(contacts);
  const order = new Uint32Array(at.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  order.sort((x, y) => at[x]! - at[y]! || rank[contact[x]!]! - rank[contact[y]!]! || x - y);
  const pick = <A extends Float64Array | Uint32Array>(column: number[], out: A): A => {
    for (let k = 0; k < order.length; k++) out[k] = column[order[k]!]!;
    return out;
  };
  return new SyntheticSchedule(
    plan,
    contacts,
    pick(at, new Float64Array(order.length)),
    pick(contact, new Uint32Array(order.length)),
    pick(template, new Uint32Array(order.length)),
    pick(state, new Uint32Array(order.length)),
  );
}
