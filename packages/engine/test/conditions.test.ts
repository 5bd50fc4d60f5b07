import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConditionError,
  conditionProblems,
  evaluateCondition,
  explainCondition,
  type ConditionShape,
} from '../src/internal.ts';
import { DAY, T0, env } from './helpers.ts';

const holds = (c: unknown, e = env()) => evaluateCondition(c, e);

describe('field rules', () => {
  const e = env({
    traits: { employees: 250, region: 'EMEA', country: 'DE', tags: ['beta', 'vip'], title: 'VP Sales', plan: null },
  });

  it('compares numbers and strings with every op', () => {
    expect(holds({ field: 'contact.employees', op: 'gte', value: 200 }, e)).toBe(true);
    expect(holds({ field: 'contact.employees', op: 'gt', value: 250 }, e)).toBe(false);
    expect(holds({ field: 'contact.employees', op: 'lt', value: 251 }, e)).toBe(true);
    expect(holds({ field: 'contact.employees', op: 'lte', value: 249 }, e)).toBe(false);
    expect(holds({ field: 'contact.region', op: 'eq', value: 'EMEA' }, e)).toBe(true);
    expect(holds({ field: 'contact.region', op: 'neq', value: 'EMEA' }, e)).toBe(false);
    expect(holds({ field: 'contact.country', op: 'in', value: ['US', 'CA'] }, e)).toBe(false);
    expect(holds({ field: 'contact.country', op: 'nin', value: ['US', 'CA'] }, e)).toBe(true);
    expect(holds({ field: 'contact.title', op: 'contains', value: 'VP' }, e)).toBe(true);
    expect(holds({ field: 'contact.tags', op: 'contains', value: 'vip' }, e)).toBe(true);
    expect(holds({ field: 'contact.tags', op: 'contains', value: 'gold' }, e)).toBe(false);
  });

  it('treats a missing field as false for every op but neq, nin and exists:false', () => {
    const missing = { field: 'contact.nothing' };
    for (const [op, value] of [
      ['eq', 1],
      ['gt', 1],
      ['gte', 1],
      ['lt', 1],
      ['lte', 1],
      ['in', [1]],
      ['contains', 'x'],
      ['exists', true],
    ] as const) {
      expect(holds({ ...missing, op, value }, e), op).toBe(false);
    }
    expect(holds({ ...missing, op: 'neq', value: 1 }, e)).toBe(true);
    expect(holds({ ...missing, op: 'nin', value: [1] }, e)).toBe(true);
    expect(holds({ ...missing, op: 'exists', value: false }, e)).toBe(true);
    expect(holds({ field: 'contact.region', op: 'exists', value: true }, e)).toBe(true);
  });

  it('never compares across types', () => {
    expect(holds({ field: 'contact.employees', op: 'gt', value: '100' }, e)).toBe(false);
    expect(holds({ field: 'contact.region', op: 'eq', value: 1 }, e)).toBe(false);
  });

  it('reads scores and the event being handled', () => {
    const withEvent = env({ scores: { fit: 82 }, event: { name: 'Page Viewed', properties: { path: '/pricing' } } });
    expect(holds({ field: 'score.fit', op: 'gte', value: 70 }, withEvent)).toBe(true);
    expect(holds({ field: 'score.intent', op: 'exists', value: false }, withEvent)).toBe(true);
    expect(holds({ field: 'event.name', op: 'eq', value: 'Page Viewed' }, withEvent)).toBe(true);
    expect(holds({ field: 'event.properties.path', op: 'eq', value: '/pricing' }, withEvent)).toBe(true);
  });

  it('does not follow __proto__, constructor or prototype', () => {
    const e2 = env({ traits: { a: {} } });
    expect(holds({ field: 'contact.__proto__', op: 'exists', value: true }, e2)).toBe(false);
    expect(holds({ field: 'contact.a.constructor', op: 'exists', value: true }, e2)).toBe(false);
    expect(holds({ field: 'contact.toString', op: 'exists', value: true }, e2)).toBe(false);
  });
});

describe('groups', () => {
  it('evaluates the SPEC §3 example', () => {
    const c = {
      all: [
        { field: 'contact.employees', op: 'gte', value: 200 },
        {
          any: [
            { field: 'contact.region', op: 'eq', value: 'EMEA' },
            { not: { field: 'contact.country', op: 'in', value: ['US', 'CA'] } },
          ],
        },
        {
          event: 'Page Viewed',
          where: { field: 'event.properties.path', op: 'eq', value: '/pricing' },
          within: 'P7D',
          op: 'gte',
          value: 2,
        },
        { field: 'score.fit', op: 'gte', value: 70 },
      ],
    };
    const pricing = (at: number) => ({ name: 'Page Viewed', at, properties: { path: '/pricing' } });
    const base = { traits: { employees: 900, region: 'NA', country: 'MX' }, scores: { fit: 82 } };
    expect(holds(c, env({ ...base, history: [pricing(T0 - 2 * DAY), pricing(T0 - DAY)] }))).toBe(true);
    // One of the two views is older than seven days: the window no longer holds two.
    expect(holds(c, env({ ...base, history: [pricing(T0 - 8 * DAY), pricing(T0 - DAY)] }))).toBe(false);
    expect(
      holds(
        c,
        env({
          ...base,
          traits: { ...base.traits, country: 'US' },
          history: [pricing(T0 - 2 * DAY), pricing(T0 - DAY)],
        }),
      ),
    ).toBe(false);
  });

  it('treats an empty all as true and an empty any as false', () => {
    expect(holds({ all: [] })).toBe(true);
    expect(holds({ any: [] })).toBe(false);
  });

  it('counts events with a default of at least one, ignoring other names and later events', () => {
    const history = [
      { name: 'Demo Requested', at: T0 - DAY, properties: {} },
      { name: 'Page Viewed', at: T0 - DAY, properties: {} },
    ];
    expect(holds({ event: 'Demo Requested' }, env({ history }))).toBe(true);
    expect(holds({ event: 'Webinar Joined' }, env({ history }))).toBe(false);
    expect(holds({ event: 'Demo Requested', op: 'eq', value: 0 }, env({ history }))).toBe(false);
    expect(holds({ event: 'Demo Requested', within: 'PT1H' }, env({ history }))).toBe(false);
  });
});

describe('malformed conditions', () => {
  it('names an unknown op with its path', () => {
    const problems = conditionProblems({ all: [{ field: 'contact.a', op: 'regex', value: '.*' }] });
    expect(problems).toEqual([{ path: ['all', 0, 'op'], message: expect.stringContaining('unknown op "regex"') }]);
  });

  it('lists every problem at once', () => {
    const problems = conditionProblems({
      any: [{ field: 'a', op: 'eq', value: 1 }, { event: 'X', within: 'soon' }, { bogus: true }],
    });
    expect(problems.map((p) => p.path.join('.'))).toEqual(['any.0.field', 'any.1.within', 'any.2']);
  });

  it('refuses nesting deeper than 32 levels', () => {
    let c: unknown = { field: 'contact.a', op: 'exists', value: true };
    for (let i = 0; i < 32; i++) c = { not: c };
    expect(conditionProblems(c).some((p) => p.message.includes('at most 32'))).toBe(true);
    let ok: unknown = { field: 'contact.a', op: 'exists', value: true };
    for (let i = 0; i < 31; i++) ok = { not: ok };
    expect(conditionProblems(ok)).toEqual([]);
  });

  it('returns a typed error instead of throwing', () => {
    expect(holds({ field: 'contact.a', op: 'matches', value: 1 })).toBeInstanceOf(ConditionError);
  });
});

describe('explanations', () => {
  it('says in words which conditions held', () => {
    const e = env({
      scores: { fit: 82 },
      history: [1, 2, 3].map((d) => ({ name: 'Page Viewed', at: T0 - d * DAY, properties: { path: '/pricing' } })),
    });
    const c: ConditionShape = {
      all: [
        { field: 'score.fit', op: 'gte', value: 70 },
        {
          event: 'Page Viewed',
          where: { field: 'event.properties.path', op: 'eq', value: '/pricing' },
          within: 'P7D',
          op: 'gte',
          value: 2,
        },
      ],
    };
    expect(explainCondition(c, e)).toEqual(['score.fit 82 ≥ 70', 'Page Viewed /pricing 3× in 7 days ≥ 2']);
    expect(explainCondition({ not: { field: 'score.fit', op: 'lt', value: 50 } }, e)).toEqual(['score.fit 82 ≥ 50']);
  });
});

describe('arbitrary input (property)', () => {
  const protoKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();

  it('only ever returns a boolean or a ConditionError, and never touches Object.prototype', () => {
    const before = protoKeys();
    const field = fc.constantFrom(
      'contact.a',
      'contact.__proto__.x',
      'contact.constructor.prototype',
      'score.fit',
      'event.properties.__proto__',
      'x.y',
      '__proto__',
      '',
    );
    const rule = fc.record(
      {
        field,
        op: fc.oneof(fc.constantFrom('eq', 'neq', 'gt', 'in', 'contains', 'exists'), fc.string()),
        value: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const condition = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        rule,
        fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }),
        fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }),
        fc.record({ not: tie('node') }),
        fc.jsonValue(),
      ),
    })).node;
    fc.assert(
      fc.property(condition, fc.jsonValue(), (c, traits) => {
        const t =
          typeof traits === 'object' && traits !== null && !Array.isArray(traits)
            ? (traits as Record<string, unknown>)
            : {};
        const result = evaluateCondition(c, env({ traits: t, scores: { fit: 50 } }));
        expect(typeof result === 'boolean' || result instanceof ConditionError).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(protoKeys()).toEqual(before);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('evaluates JSON that was parsed with a __proto__ key without polluting anything', () => {
    const c = JSON.parse('{"field":"contact.__proto__","op":"exists","value":true}');
    const traits = JSON.parse('{"__proto__":{"polluted":true}}');
    expect(evaluateCondition(c, env({ traits }))).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
