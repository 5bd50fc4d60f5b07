import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateJourney } from '../src/index.ts';
import { journey } from './helpers.ts';

const exit = { id: 'done', type: 'exit', outcome: 'completed' };
const pricingIntent = {
  schema: 'baton.journey/v1',
  id: 'pricing-intent',
  name: 'Pricing intent to account executive',
  trigger: { event: 'Page Viewed', when: { field: 'event.properties.path', op: 'eq', value: '/pricing' } },
  reentry: 'never',
  whileHumanEngaged: 'pause',
  exitWhen: [{ when: { field: 'contact.lifecycle', op: 'eq', value: 'customer' }, outcome: 'became_customer' }],
  start: 'fit',
  nodes: [
    {
      id: 'fit',
      type: 'branch',
      paths: [{ label: 'Good fit', when: { field: 'score.fit', op: 'gte', value: 70 }, next: 'handoff' }],
      otherwise: 'nurture',
    },
    { id: 'nurture', type: 'action', action: 'email', params: { template: 'pricing-guide' }, next: 'wait' },
    { id: 'wait', type: 'wait', duration: 'P3D', next: 'done' },
    {
      id: 'handoff',
      type: 'handoff',
      team: 'sales',
      record: 'lead',
      priority: 'high',
      title: 'Pricing intent: {{contact.company}}',
      route: [
        { to: { owner: 'contact.ownerId' } },
        { when: { field: 'contact.region', op: 'eq', value: 'EMEA' }, to: { queue: 'emea-ae' } },
      ],
      fallback: { queue: 'sdr-pool' },
      sla: { firstTouch: 'PT4H', escalate: { queue: 'sales-managers' } },
      context: {
        timeline: 'P30D',
        talkTrack: 'Ask which plan they compared.',
        nextBestActions: ['Offer a pricing call'],
      },
      expires: 'P14D',
      outcomes: { meeting_booked: 'won', not_interested: 'done' },
      onExpire: 'done',
    },
    { id: 'won', type: 'exit', outcome: 'converted' },
    { id: 'done', type: 'exit', outcome: 'completed' },
  ],
  ui: { positions: { fit: { x: 0, y: 0 } } },
};

describe('validateJourney', () => {
  it('accepts the SPEC §5 example', () => {
    expect(validateJourney(pricingIntent)).toEqual({ valid: true, errors: [] });
  });

  it('lists every graph problem at once with its node and path', () => {
    const result = validateJourney(
      journey([
        { id: 'a', type: 'branch', paths: [{ label: 'x', when: { all: [] }, next: 'ghost' }], otherwise: 'b' },
        { id: 'b', type: 'action', action: 'email', params: {}, next: 'c' },
        { id: 'c', type: 'action', action: 'sms', params: {}, next: 'b' },
        { id: 'island', type: 'wait', duration: 'P1D', next: 'done' },
        exit,
        { id: 'done', type: 'exit', outcome: 'again' },
      ]),
    );
    expect(result.valid).toBe(false);
    const byMessage = (m: string) => result.errors.find((e) => e.message.includes(m));
    expect(byMessage('leads to "ghost"')).toMatchObject({ node: 'a', path: '$.nodes[0].paths[0].next' });
    expect(byMessage('cannot be reached')).toMatchObject({ node: 'island', path: '$.nodes[3]' });
    expect(byMessage('used more than once')).toMatchObject({ node: 'done', path: '$.nodes[5].id' });
    expect(byMessage('no wait, pause or handoff')).toMatchObject({ node: 'b' });
    const dead = result.errors.filter((e) => e.message.includes('reaches an exit')).map((e) => e.node);
    expect(dead).toEqual(['a', 'b', 'c']);
  });

  it('accepts a loop that waits', () => {
    const result = validateJourney(
      journey([
        { id: 'remind', type: 'action', action: 'email', params: {}, next: 'wait' },
        { id: 'wait', type: 'pause', until: { event: 'Replied' }, timeout: 'P2D', next: 'done', onTimeout: 'remind' },
        exit,
      ]),
    );
    expect(result).toEqual({ valid: true, errors: [] });
  });

  it('names malformed conditions, durations, templates and unknown fields', () => {
    const result = validateJourney(
      journey([
        { id: 'w', type: 'wait', duration: '3 days', next: 'b' },
        {
          id: 'b',
          type: 'branch',
          paths: [{ label: 'x', when: { field: 'contact.a', op: 'like', value: 1 }, next: 'h' }],
          otherwise: 'done',
        },
        {
          id: 'h',
          type: 'handoff',
          team: 'sales',
          record: 'lead',
          title: 'Hi {{contact.name}} {{process.env}}',
          route: [{ to: { rep: 'ana' } }],
          outcomes: { ok: 'done' },
          colour: 'red',
        },
        exit,
      ]),
    );
    const paths = result.errors.map((e) => `${e.node} ${e.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'w $.nodes[0].duration',
        'b $.nodes[1].paths[0].when.op',
        'h $.nodes[2].title',
        'h $.nodes[2].colour',
      ]),
    );
  });

  it('still reports graph problems when a node is malformed', () => {
    const result = validateJourney(
      journey([{ id: 'w', type: 'wait', duration: 'P1D', next: 'ghost' }, { id: 'x', type: 'teleport' }, exit]),
    );
    expect(result.errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('unknown node type'),
        expect.stringContaining('leads to "ghost"'),
      ]),
    );
  });

  it('refuses a negative duration, which ISO 8601 does not have', () => {
    for (const duration of ['PT-1S', 'P-1D', 'P1DT-2H']) {
      const result = validateJourney(
        journey([
          { id: 'w', type: 'wait', duration, next: 'done' },
          { id: 'done', type: 'exit', outcome: 'x' },
        ]),
      );
      expect(result.errors, duration).toEqual([
        { path: '$.nodes[0].duration', node: 'w', message: expect.stringContaining('ISO 8601 duration') },
      ]);
    }
    expect(
      validateJourney(
        journey([
          { id: 'w', type: 'wait', duration: 'PT0S', next: 'd' },
          { id: 'd', type: 'exit', outcome: 'x' },
        ]),
      ).valid,
    ).toBe(true);
  });

  it('checks handoff targets against the team', () => {
    const team = { reps: [{ id: 'ana', name: 'Ana' }], queues: [{ id: 'emea-ae', members: ['ana'] }] };
    const result = validateJourney(pricingIntent, team);
    expect(result.errors.map((e) => `${e.node} ${e.path}`)).toEqual([
      'handoff $.nodes[3].fallback.queue',
      'handoff $.nodes[3].sla.escalate.queue',
    ]);
  });

  it('lists one of each kind of problem at once, each with its path and node', () => {
    const fixture = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
    const result = validateJourney(fixture('every-problem.journey.json'), fixture('every-problem.team.json'));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      { path: '$.nodes[0].duration', node: 'w', message: expect.stringContaining('ISO 8601 duration') },
      { path: '$.nodes[1].paths[0].when.op', node: 'b', message: expect.stringContaining('unknown op "like"') },
      { path: '$.nodes[2].title', node: 'h', message: expect.stringContaining('{{process.env}}') },
      { path: '$.nodes[8].id', node: 'done', message: 'node id "done" is used more than once' },
      {
        path: '$.nodes[1].otherwise',
        node: 'b',
        message: 'port otherwise leads to "ghost", which is not a node of this journey',
      },
      { path: '$.nodes[6]', node: 'island', message: 'node "island" cannot be reached from start "w"' },
      { path: '$.nodes[5]', node: 'stuck', message: 'no path from node "stuck" reaches an exit' },
      {
        path: '$.nodes[3]',
        node: 'again',
        message: 'nodes again → remind form a cycle with no wait, pause or handoff, so a contact would loop forever',
      },
      { path: '$.reps[0].calendar', node: null, message: 'team: unknown calendar "mars"' },
      { path: '$.nodes[2].route[0].to.queue', node: 'h', message: 'unknown queue "nowhere" (not in the team)' },
      { path: '$.nodes[2].route[1].to.rep', node: 'h', message: 'unknown rep "zed" (not in the team)' },
    ]);
  });

  it('refuses a cycle whose only wait takes no time, or whose pause times out at once (it would loop at one instant)', () => {
    const loop = (hold: Record<string, unknown>, options?: { stored: boolean }) =>
      validateJourney(
        journey([
          {
            id: 'b',
            type: 'branch',
            paths: [{ label: 'done', when: { field: 'contact.done', op: 'eq', value: true }, next: 'done' }],
            otherwise: 'w',
          },
          { id: 'w', ...hold },
          { id: 'done', type: 'exit', outcome: 'done' },
        ]),
        undefined,
        options,
      );
    const zeroWait = loop({ type: 'wait', duration: 'PT0S', next: 'b' });
    expect(zeroWait.errors).toEqual([
      {
        path: '$.nodes[0]',
        node: 'b',
        message:
          'nodes b → w form a cycle with no wait, pause or handoff that takes time, so a contact would loop forever',
      },
    ]);
    expect(loop({ type: 'wait', duration: 'P0D', next: 'b' }).valid).toBe(false);
    expect(loop({ type: 'wait', duration: 'PT0.0001S', next: 'b' }).valid).toBe(false); // under a millisecond
    // A journey stored before this rule opens as it is (a server's data, its team changes).
    expect(loop({ type: 'wait', duration: 'PT0S', next: 'b' }, { stored: true }).valid).toBe(true);
    expect(
      loop({ type: 'pause', until: { event: 'Replied' }, next: 'done', timeout: 'PT0S', onTimeout: 'b' }).valid,
    ).toBe(false);
    // A pause that times out at once, looped through its event: every lap waits for the event, allowed.
    expect(
      loop({ type: 'pause', until: { event: 'Replied' }, next: 'b', timeout: 'PT0S', onTimeout: 'done' }).valid,
    ).toBe(true);
    // Any time at all holds the contact until its timer: a cycle through it is a loop over time, allowed.
    expect(loop({ type: 'wait', duration: 'PT1S', next: 'b' }).valid).toBe(true);
    expect(
      loop({ type: 'pause', until: { event: 'Replied' }, next: 'done', timeout: 'P1D', onTimeout: 'b' }).valid,
    ).toBe(true);
  });

  it('reports an unknown queue beside a malformed duration', () => {
    const result = validateJourney(
      journey([
        { id: 'w', type: 'wait', duration: '3 days', next: 'h' },
        {
          id: 'h',
          type: 'handoff',
          team: 'sales',
          record: 'lead',
          route: [{ to: { queue: 'nowhere' } }],
          outcomes: { ok: 'done' },
        },
        exit,
      ]),
      { reps: [{ id: 'ana', name: 'Ana' }] },
    );
    expect(result.errors.map((e) => `${e.node} ${e.path}`)).toEqual([
      'w $.nodes[0].duration',
      'h $.nodes[1].route[0].to.queue',
    ]);
  });

  it('finds dead ends and loops around a node whose other fields are malformed', () => {
    const result = validateJourney(
      journey([
        {
          id: 'b',
          type: 'branch',
          paths: [{ label: 'x', when: { field: 'contact.a', op: 'like' }, next: 'loop' }],
          otherwise: 'done',
        },
        { id: 'loop', type: 'action', action: 'email', params: { whileHumanEngaged: 'maybe' }, next: 'again' },
        { id: 'again', type: 'action', action: 'sms', params: {}, next: 'loop' },
        exit,
      ]),
    );
    expect(result.errors.map((e) => `${e.node} ${e.path}: ${e.message}`)).toEqual([
      expect.stringMatching(/^b \$\.nodes\[0\]\.paths\[0\]\.when\.op: /),
      expect.stringMatching(/^loop \$\.nodes\[1\]\.params\.whileHumanEngaged: /),
      'loop $.nodes[1]: no path from node "loop" reaches an exit',
      'again $.nodes[2]: no path from node "again" reaches an exit',
      'loop $.nodes[1]: nodes loop → again form a cycle with no wait, pause or handoff, so a contact would loop forever',
    ]);
  });

  it('checks the journey against a team that is itself malformed', () => {
    const team = {
      reps: [{ id: 'ana', name: 'Ana', calendar: 'mars' }],
      queues: [{ id: 'sdr', members: ['ana'], strategy: 'random' }],
    };
    const result = validateJourney(pricingIntent, team);
    expect(result.errors.map((e) => `${e.node} ${e.path}`)).toEqual([
      'null $.queues[0].strategy',
      'handoff $.nodes[3].route[1].to.queue',
      'handoff $.nodes[3].fallback.queue',
      'handoff $.nodes[3].sla.escalate.queue',
    ]);
  });

  it('does not call a node unreachable when a node before it has ports it cannot read', () => {
    const result = validateJourney(
      journey([
        { id: 'b', type: 'branch', paths: [{ label: 'x', when: { all: [] }, next: 7 }], otherwise: 'done' },
        { id: 'later', type: 'exit', outcome: 'o' },
        exit,
      ]),
    );
    expect(result.errors.map((e) => `${e.node} ${e.path}`)).toEqual(['b $.nodes[0].paths[0].next']);
  });

  it('rejects a document that is not a journey at all', () => {
    expect(validateJourney(42).errors[0]!.path).toBe('$');
    expect(validateJourney({ ...pricingIntent, schema: 'other' }).errors).toEqual([
      { path: '$.schema', node: null, message: 'must be "baton.journey/v1"' },
    ]);
  });

  it('accepts every example journey', () => {
    const read = (path: string) =>
      JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
    for (const name of ['adoption-stall', 'onboarding-ab', 'trial-nurture']) {
      expect(validateJourney(read(`${name}/journey.json`)), name).toEqual({ valid: true, errors: [] });
    }
    for (const path of [
      'pricing-intent/journey.json',
      'renewal-risk/journey.json',
      'nps-detractor/journey.json',
      'nps-detractor/product-tips.json',
      'nps-detractor/daily-digest.json',
    ]) {
      const team = read(`${path.split('/')[0]}/team.json`);
      expect(validateJourney(read(path), team), path).toEqual({ valid: true, errors: [] });
    }
  });

  it("names what a team's field needs, not the validator's wording", () => {
    const read = (path: string) =>
      JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
    const team = {
      reps: [{ id: 'ana', weight: 0, capacity: -1, active: 'yes', team: 'ops' }],
      queues: [{ id: 'q', members: ['ana'], strategy: 'random' }],
    };
    const messages = validateJourney(read('pricing-intent/journey.json'), team)
      .errors.filter((e) => e.path.startsWith('$.reps') || e.path.startsWith('$.queues'))
      .map((e) => [e.path, e.message]);
    expect(messages).toEqual([
      ['$.reps[0].team', 'team: must be one of "sales", "service"'],
      ['$.reps[0].capacity', 'team: must be 0 or more'],
      ['$.reps[0].weight', 'team: must be more than 0'],
      ['$.reps[0].active', 'team: must be true or false, not a string'],
      ['$.queues[0].strategy', 'team: must be one of "round_robin", "weighted", "least_loaded"'],
    ]);
  });

  it('takes a team whose reps have no names (SPEC §6 lists a name without requiring it)', () => {
    const read = (path: string) =>
      JSON.parse(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
    const team = read('pricing-intent/team.json') as { reps: { name?: string }[] };
    for (const rep of team.reps) delete rep.name;
    expect(validateJourney(read('pricing-intent/journey.json'), team)).toEqual({ valid: true, errors: [] });
    const empty = structuredClone(team);
    empty.reps[0]!.name = '';
    expect(validateJourney(read('pricing-intent/journey.json'), empty).valid).toBe(false);
  });
});
