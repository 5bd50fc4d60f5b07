import fc from 'fast-check';

/**
 * What the API fuzz (fuzz.test.ts) sends: odd bodies, strings that break lookups and decoding, and
 * mutations of valid bodies, among them consistent renames of ids to names of Object.prototype's members.
 */

/** JSON text nested `levels` deep. */
export const deep = (levels: number, open: string, close: string, inner = '1') =>
  `${open.repeat(levels)}${inner}${close.repeat(levels)}`;
/** A megabyte of text. */
export const HUGE = 'x'.repeat(1_000_000);

/** Bodies that are odd as a whole, as JSON text (some not JSON at all). */
export const ODD_BODIES: Record<string, string> = {
  null: 'null',
  emptyArray: '[]',
  number: '42',
  negative: '-1e308',
  bigNumber: '1e999',
  string: '"track"',
  boolean: 'true',
  empty: '',
  blank: '   ',
  truncated: '{"type":',
  nul: '\u0000',
  nan: 'NaN',
  bom: '\ufeff{}',
  deepArrays: deep(1000, '[', ']'),
  deepObjects: deep(1000, '{"a":', '}'),
  deepArraysInObject: `{"userId":"fuzz-deep","event":"E","properties":{"p":${deep(1000, '[', ']')}},"traits":{"t":${deep(1000, '{"a":', '}')}}}`,
  deep10k: deep(10_000, '[', ']'),
  hugeString: JSON.stringify(HUGE),
  hugeField: JSON.stringify({
    userId: 'fuzz-huge',
    event: HUGE.slice(0, 400_000),
    name: HUGE.slice(0, 400_000),
    id: HUGE.slice(0, 100_000),
  }),
  manyKeys: JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))),
  longArray: JSON.stringify({
    batch: Array.from({ length: 5000 }, () => ({ type: 'track', userId: 'u', event: 'E' })),
    journeys: Array.from({ length: 5000 }, () => 'pricing-intent'),
  }),
  proto: '{"__proto__":{"polluted":"yes","isAdmin":true}}',
  protoNested:
    '{"userId":"fuzz-proto","event":"E","properties":{"__proto__":{"polluted":"yes"}},"traits":{"__proto__":{"polluted":"yes"}},"context":{"__proto__":{"polluted":"yes"}}}',
  constructorPrototype: '{"constructor":{"prototype":{"polluted":"yes"}}}',
  protoEverywhere:
    '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"toString":"x","hasOwnProperty":"x","valueOf":1}',
};

/** Strings chosen to break lookups, decoding and paths. */
export const NASTY = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '.',
  '..',
  '../..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '\u0000',
  'ü名🙂',
  '\u202e\u200b',
  '\ud800',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1.5',
  '1e400',
  'true',
  '[]',
  '{}',
  'csv',
  'open',
  'x'.repeat(300),
  '💥'.repeat(150),
];
/** encodeURIComponent, with lone surrogates (which it refuses) made U+FFFD. */
export const encode = (s: string) =>
  encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
/** Strings to put where an id, a name or a query value goes. */
export const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 310 }) },
);
/** Path segments and query parts sent as they are, not encoded: bad percent escapes, encoded slashes and dots. */
export const RAW = [
  '%',
  '%E0%A4%A',
  '%zz',
  '%00',
  '..%2F..%2F',
  '%2e%2e',
  '%2F',
  '__proto__',
  'constructor',
  'a%20b',
  '%C0%AF',
  '%FF%FE',
];

/** Values a mutation puts somewhere in a valid body. */
export const REPLACEMENTS = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    [],
    {},
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 2,
    '',
    true,
    false,
    '__proto__',
    'constructor',
    HUGE.slice(0, 200_000),
  ),
  fc.constant(null).map(() => JSON.parse(deep(1000, '{"a":', '}'))),
  fc.constant(null).map(() => JSON.parse('{"__proto__":{"polluted":"yes"}}')),
  nasty,
  fc.jsonValue({ maxDepth: 3 }),
);

/** A change to a valid body; `example` picks which of the operation's valid bodies. */
export type Mutation = {
  example: number;
  path: number[];
  kind: 'none' | 'replace' | 'delete' | 'addKey' | 'wrap' | 'rename';
  key: string;
  hostile: string;
  value: unknown;
};

/** Names of Object.prototype's members, as ids. */
export const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/** An object with these own keys (a key named __proto__ stays an own key, as JSON.parse makes it). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const ID_FIELDS = new Set([
  'id',
  'start',
  'next',
  'otherwise',
  'queue',
  'rep',
  'calendar',
  'team',
  'userId',
  'handoff',
  'journey',
  'outcome',
  'record',
]);
const ID_MAPS = new Set(['calendars', 'scores', 'outcomes', 'positions', 'traits', 'properties', 'params']);

/** The strings of a JSON value that are ids (in id fields, string lists, and keys of maps), once each, in order. */
function idsOf(v: unknown, into = new Set<string>()): string[] {
  if (Array.isArray(v)) for (const x of v) typeof x === 'string' ? into.add(x) : idsOf(x, into);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && ID_FIELDS.has(k)) into.add(x);
      if (ID_MAPS.has(k) && x !== null && typeof x === 'object' && !Array.isArray(x))
        for (const key of Object.keys(x)) into.add(key);
      idsOf(x, into);
    }
  }
  return [...into];
}

/** The value with every occurrence of one string, as a value or a key, made another: ids stay consistent. */
function renamed(v: unknown, from: string, to: string): unknown {
  if (v === from) return to;
  if (Array.isArray(v)) return v.map((x) => renamed(x, from, to));
  if (v !== null && typeof v === 'object')
    return objectOf(Object.entries(v).map(([k, x]) => [k === from ? to : k, renamed(x, from, to)]));
  return v;
}

/**
 * Applies a mutation to a copy of a valid body: the path picks children by index, modulo their count.
 * `rename` instead picks one of the body's ids and renames it everywhere to a hostile one, so the body
 * stays valid (a journey whose node is `__proto__`, say).
 */
export function mutate(example: unknown, m: Mutation): unknown {
  if (m.kind === 'none') return example;
  if (m.kind === 'rename') {
    const found = idsOf(example);
    return found.length === 0 ? example : renamed(example, found[(m.path[0] ?? 0) % found.length]!, m.hostile);
  }
  const root = { v: structuredClone(example) } as Record<string, unknown>;
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number = 'v';
  for (const step of m.path) {
    const here: unknown = (parent as Record<string, unknown>)[key as string];
    if (here === null || typeof here !== 'object') break;
    const keys: (string | number)[] = Array.isArray(here) ? here.map((_, i) => i) : Object.keys(here);
    if (keys.length === 0) break;
    parent = here as Record<string, unknown>;
    key = keys[step % keys.length]!;
  }
  const target = parent as Record<string, unknown>;
  if (m.kind === 'replace') target[key as string] = m.value;
  else if (m.kind === 'delete') {
    if (Array.isArray(target)) target.splice(key as number, 1);
    else delete target[key as string];
  } else if (m.kind === 'wrap') target[key as string] = [target[key as string]];
  else {
    const at = target[key as string];
    // A key named __proto__ becomes an own key, as JSON.parse would make it.
    if (at !== null && typeof at === 'object' && !Array.isArray(at))
      target[key as string] = objectOf([...Object.entries(at), [m.key, m.value]]);
  }
  return root.v;
}

/** Generated mutations. */
export const mutation = fc.record({
  example: fc.nat(),
  path: fc.array(fc.nat(), { maxLength: 6 }),
  kind: fc.constantFrom(
    'none',
    'none',
    'none',
    'replace',
    'replace',
    'delete',
    'addKey',
    'wrap',
    'rename',
    'rename',
    'rename',
  ) as fc.Arbitrary<Mutation['kind']>,
  key: fc.oneof(fc.constantFrom(...HOSTILE, 'prototype'), nasty),
  hostile: fc.constantFrom('__proto__', ...HOSTILE),
  value: REPLACEMENTS,
});

/** Object.prototype's own properties and their values. */
export const protoOwn = (): Map<string, unknown> =>
  new Map(
    Object.getOwnPropertyNames(Object.prototype).map((k) => [
      k,
      Object.getOwnPropertyDescriptor(Object.prototype, k)!.value,
    ]),
  );
/** What changed on Object.prototype since `before`; undone here, so one finding does not spoil the next calls. */
export function protoChanges(before: Map<string, unknown>): string[] {
  const changes: string[] = [];
  for (const k of Object.getOwnPropertyNames(Object.prototype)) {
    if (!before.has(k)) {
      changes.push(
        `added Object.prototype.${k} = ${JSON.stringify((Object.prototype as Record<string, unknown>)[k])?.slice(0, 80)}`,
      );
      delete (Object.prototype as Record<string, unknown>)[k];
    } else if (Object.getOwnPropertyDescriptor(Object.prototype, k)!.value !== before.get(k)) {
      changes.push(`replaced Object.prototype.${k}`);
      Object.defineProperty(Object.prototype, k, {
        value: before.get(k),
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
  }
  return changes;
}
