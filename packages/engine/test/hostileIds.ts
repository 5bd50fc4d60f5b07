/**
 * A workspace where every id and key is the name of a member of `Object.prototype`: journeys, nodes,
 * reps, queues, calendars, scores, outcomes, traits and contacts. All of them are valid ids (SPEC §2).
 * Objects are built with `Object.fromEntries`, so `__proto__` is an own key, as `JSON.parse` makes it.
 */
export const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** What `Object.prototype` holds before anything runs. */
export const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

const keyed = <T>(entries: (readonly [string, T])[]): Record<string, T> => Object.fromEntries(entries);
const each = <T>(value: (name: string, i: number) => T) => keyed(HOSTILE.map((name, i) => [name, value(name, i)]));

const ALWAYS = ['00:00', '24:00'];

/** Five reps, five queues (one per strategy and one respecting hours), five calendars. */
export const hostileTeam = () => ({
  calendars: each(() => ({
    timezone: 'UTC',
    hours: { mon: ALWAYS, tue: ALWAYS, wed: ALWAYS, thu: ALWAYS, fri: ALWAYS, sat: ALWAYS, sun: ALWAYS },
  })),
  reps: HOSTILE.map((id) => ({ id, name: `Rep ${id}`, team: 'sales', calendar: id, capacity: 50 })),
  queues: [
    { id: '__proto__', members: ['toString', 'hasOwnProperty'], strategy: 'weighted' },
    { id: 'constructor', members: ['constructor', 'prototype'], strategy: 'round_robin' },
    { id: 'prototype', members: ['prototype', '__proto__'], strategy: 'least_loaded', respectHours: true },
    { id: 'toString', members: ['__proto__', 'constructor'], strategy: 'least_loaded' },
    { id: 'hasOwnProperty', members: ['hasOwnProperty', '__proto__'], strategy: 'round_robin' },
  ],
});

/** A score per name, 60 points for a contact whose `toString` trait is "fit". */
export const hostileScores = () =>
  each(() => ({ rules: [{ when: { field: 'contact.toString', op: 'eq', value: 'fit' }, points: 60 }], max: 100 }));

/** Where each logged outcome leads: `__proto__` and `toString` convert, the others end as `__proto__`. */
export const OUTCOME_NEXT: Record<string, string> = keyed([
  ['__proto__', 'hasOwnProperty'],
  ['constructor', 'prototype'],
  ['prototype', 'prototype'],
  ['toString', 'hasOwnProperty'],
  ['hasOwnProperty', 'prototype'],
]);

/**
 * A journey named `id`: a branch on two scores (`constructor`), a trait update (`__proto__`), a handoff
 * to the queue named like the journey (`toString`) with five outcomes, and two exits.
 */
export const hostileJourney = (id: string) => ({
  schema: 'baton.journey/v1',
  id,
  name: `Journey ${id}`,
  trigger: { event: 'Page Viewed', when: { field: 'contact.hasOwnProperty', op: 'exists', value: true } },
  whileHumanEngaged: 'continue',
  start: 'constructor',
  nodes: [
    {
      id: 'constructor',
      type: 'branch',
      paths: [
        {
          label: 'fit',
          when: {
            all: [
              { field: 'score.toString', op: 'gte', value: 50 },
              { field: 'score.hasOwnProperty', op: 'gte', value: 50 },
            ],
          },
          next: '__proto__',
        },
      ],
      otherwise: 'prototype',
    },
    {
      id: '__proto__',
      type: 'action',
      action: 'update_contact',
      params: {
        traits: keyed<unknown>([
          ['__proto__', { polluted: true }],
          ['valueOf', 'updated'],
        ]),
      },
      next: 'toString',
    },
    {
      id: 'toString',
      type: 'handoff',
      team: 'sales',
      record: 'lead',
      title: 'Lead {{contact.toString}}',
      route: [{ to: { queue: id } }, { to: { rep: 'constructor' } }],
      fallback: { queue: 'hasOwnProperty' },
      sla: { firstTouch: 'PT1H', escalate: { queue: 'toString' } },
      expires: 'P3D',
      onExpire: 'prototype',
      outcomes: { ...OUTCOME_NEXT },
    },
    { id: 'hasOwnProperty', type: 'exit', outcome: 'converted' },
    { id: 'prototype', type: 'exit', outcome: '__proto__' },
  ],
  ui: { positions: each((_, i) => ({ x: i * 200, y: 0 })) },
});

/** Traits of a contact that fits: read by conditions (`toString`, `hasOwnProperty`) and kept as data (`__proto__`, `constructor`). */
export const hostileTraits = () =>
  keyed<unknown>([
    ['toString', 'fit'],
    ['hasOwnProperty', 'yes'],
    ['__proto__', { admin: true }],
    ['constructor', 'c'],
  ]);

/** The outcome contact `i` logs in journey `j`: across the five contacts, every journey sees every outcome. */
export const outcomeFor = (contact: number, journey: number) => HOSTILE[(contact + journey) % HOSTILE.length]!;

/**
 * A script: each contact views pricing (entering all five journeys), reps accept and log outcomes, one
 * outcome no node declares is refused, and the rep `__proto__` is made inactive and active again.
 */
export const hostileScript = () => ({
  start: '2026-11-20T08:00:00Z',
  until: '2026-11-27T00:00:00Z',
  contacts: HOSTILE.map((id) => ({ id, traits: hostileTraits() })),
  steps: [
    { at: '2026-11-20T08:30:00Z', setRep: { id: '__proto__', active: false } },
    ...HOSTILE.map((userId, i) => ({
      at: `2026-11-20T09:0${i}:00Z`,
      track: {
        userId,
        event: 'Page Viewed',
        properties: keyed<unknown>([
          ['__proto__', { x: 1 }],
          ['toString', 'p'],
        ]),
      },
    })),
    { at: '2026-11-20T09:30:00Z', setRep: { id: '__proto__', active: true } },
    ...HOSTILE.map((userId, i) => ({
      at: `2026-11-20T09:4${i}:00Z`,
      accept: { userId, journey: HOSTILE[i]!, node: 'toString' },
    })),
    {
      at: '2026-11-20T10:00:00Z',
      outcome: { userId: '__proto__', journey: 'toString', node: 'toString', outcome: 'valueOf' },
    },
    ...HOSTILE.flatMap((userId, i) =>
      HOSTILE.map((journey, j) => ({
        at: `2026-11-20T1${i + 1}:${String(j * 10).padStart(2, '0')}:00Z`,
        outcome: { userId, journey, node: 'toString', outcome: outcomeFor(i, j) },
      })),
    ),
  ],
});

/** The exit a contact reaches after logging `outcome`, and the journey outcome it ends with. */
export const endOf = (outcome: string) =>
  OUTCOME_NEXT[outcome] === 'hasOwnProperty'
    ? { node: 'hasOwnProperty', outcome: 'converted' }
    : { node: 'prototype', outcome: '__proto__' };
