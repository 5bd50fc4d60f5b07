import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateSynthetic } from '@baton/engine/internal';

const root = new URL('../../../', import.meta.url).pathname;
const baton = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'packages/server/bin/baton.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), 'baton-cli-'));
const file = (name: string, content: unknown) => {
  const path = join(tmp, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('baton validate', () => {
  it('prints { valid, errors } and exits 0 for a valid journey', () => {
    const r = baton('validate', 'examples/adoption-stall/journey.json', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, errors: [] });
  });

  it('lists every error at once and exits 1 for an invalid journey', () => {
    const bad = file('bad.json', {
      schema: 'baton.journey/v1',
      id: 'x',
      name: 'x',
      trigger: { event: 'A' },
      start: 'w',
      nodes: [
        { id: 'w', type: 'wait', duration: 'soon', next: 'ghost' },
        { id: 'lonely', type: 'exit', outcome: 'o' },
      ],
    });
    const r = baton('validate', bad, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.errors.length).toBeGreaterThanOrEqual(2);
    for (const e of out.errors) expect(Object.keys(e).sort()).toEqual(['message', 'node', 'path']);
  });

  it('says plainly what is wrong in text mode', () => {
    const r = baton('validate', file('bad2.json', { schema: 'baton.journey/v1' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('$.id');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('gives one clear line for a missing file, bad JSON and an unknown flag', () => {
    const missing = baton('validate', 'nope.json');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr.trim().split('\n')).toEqual(['baton validate: journey file not found: nope.json']);
    const broken = baton('validate', file('broken.json', '{"schema": '));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/is not valid JSON/);
    expect(baton('validate', 'x.json', '--frobnicate').code).toBe(2);
    expect(baton('launch').code).toBe(2);
    expect(baton().code).toBe(2);
  });

  it('checks routing targets against the team', () => {
    const journey = file('ho.json', {
      schema: 'baton.journey/v1',
      id: 'h',
      name: 'h',
      trigger: { event: 'A' },
      start: 'h',
      nodes: [
        {
          id: 'h',
          type: 'handoff',
          team: 'sales',
          record: 'lead',
          route: [{ to: { queue: 'nowhere' } }],
          outcomes: { ok: 'd' },
        },
        { id: 'd', type: 'exit', outcome: 'o' },
      ],
    });
    const team = file('team.json', { reps: [{ id: 'ana', name: 'Ana' }], queues: [] });
    const r = baton('validate', journey, '--team', team, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors).toEqual([
      { path: '$.nodes[0].route[0].to.queue', node: 'h', message: 'unknown queue "nowhere" (not in the team)' },
    ]);
  });

  it('lists one of each kind of problem at once, shape, graph and team alike', () => {
    const fixture = (name: string) => `packages/engine/test/fixtures/every-problem.${name}.json`;
    const r = baton('validate', fixture('journey'), '--team', fixture('team'), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['valid', 'errors']);
    expect(out.valid).toBe(false);
    for (const e of out.errors) expect(Object.keys(e)).toEqual(['path', 'node', 'message']);
    expect(out.errors.map((e: { path: string; node: string | null }) => `${e.node} ${e.path}`)).toEqual([
      'w $.nodes[0].duration',
      'b $.nodes[1].paths[0].when.op',
      'h $.nodes[2].title',
      'done $.nodes[8].id',
      'b $.nodes[1].otherwise',
      'island $.nodes[6]',
      'stuck $.nodes[5]',
      'again $.nodes[3]',
      'null $.reps[0].calendar',
      'h $.nodes[2].route[0].to.queue',
      'h $.nodes[2].route[1].to.rep',
    ]);
  });
});

describe('baton compile', () => {
  it('prints the XState machine config as JSON', () => {
    const r = baton('compile', 'examples/adoption-stall/journey.json');
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout);
    expect(config).toMatchObject({ id: 'adoption-stall', initial: '$trigger' });
    expect(Object.keys(config.states)).toContain('settle');
  });
});

describe('baton simulate', () => {
  it('prints the §8 report with --json', () => {
    const r = baton(
      'simulate',
      'examples/adoption-stall/journey.json',
      '--script',
      'examples/adoption-stall/script.json',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(['contacts', 'handoffs', 'nodes', 'refused']);
    expect(report.contacts.cy.journeys['adoption-stall']).toMatchObject({ status: 'exited', outcome: 'stalled' });
    expect(report.handoffs).toEqual({ created: 0, accepted: 0, breached: 0, unassigned: 0 });
  });

  it('exits 1 naming the problem when the script is invalid', () => {
    const script = file('script.json', {
      start: '2026-11-20T08:00:00Z',
      until: '2026-11-19T00:00:00Z',
      steps: [{ at: 'yesterday', track: { userId: 'c1', event: 'A' } }],
    });
    const r = baton('simulate', 'examples/adoption-stall/journey.json', '--script', script, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['$.until', '$.steps[0].at']),
    );
  });

  it('exits 2 without a script', () => {
    expect(baton('simulate', 'examples/adoption-stall/journey.json').code).toBe(2);
  });
});

describe('baton simulate with handoffs', () => {
  const args = [
    'simulate',
    'examples/pricing-intent/journey.json',
    '--workspace',
    'examples/pricing-intent/workspace.json',
    '--script',
    'examples/pricing-intent/script.json',
  ];

  it('reports handoffs, counts and refused steps', () => {
    const r = baton(...args, '--team', 'examples/pricing-intent/team.json', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.handoffs).toEqual({ created: 2, accepted: 1, breached: 1, unassigned: 0 });
    expect(report.contacts['globex-vp'].journeys['pricing-intent'].handoffs[0]).toMatchObject({
      assignee: 'mia',
      escalatedTo: 'mia',
      breached: true,
    });
    expect(report.refused).toHaveLength(1);
  });

  it('asks for a team when a journey has handoff nodes: running one without is misuse (exit 2)', () => {
    const r = baton(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hands off at node "handoff", so it needs a team (--team TEAM.json)');
    const synthetic = baton('simulate', 'examples/pricing-intent/journey.json', '--contacts', '5', '--seed', '1');
    expect(synthetic.code).toBe(2);
  });
});

describe('baton simulate --contacts N --seed S', () => {
  const base = [
    'simulate',
    'examples/pricing-intent/journey.json',
    '--team',
    'examples/pricing-intent/team.json',
    '--workspace',
    'examples/pricing-intent/workspace.json',
  ];

  it('reports a synthetic population with timing, the same for the same seed', () => {
    const a = baton(...base, '--contacts', '50', '--seed', '3', '--json');
    const b = baton(...base, '--contacts', '50', '--seed', '3', '--json');
    expect(a.code).toBe(0);
    const ra = JSON.parse(a.stdout);
    const rb = JSON.parse(b.stdout);
    expect(Object.keys(ra).sort()).toEqual(['contacts', 'handoffs', 'nodes', 'refused', 'timing']);
    expect(ra.timing).toMatchObject({ contacts: 50, seed: 3 });
    expect(typeof ra.timing.wallMs).toBe('number');
    delete ra.timing.wallMs;
    delete rb.timing.wallMs;
    expect(rb).toEqual(ra);
  });

  it("writes the engine's report byte for byte, contacts in id order, though it spools them as they finish", async () => {
    const r = baton(...base, '--contacts', '300', '--seed', '4', '--json');
    expect(r.code).toBe(0);
    const read = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));
    const report = await simulateSynthetic({
      journeys: [read('examples/pricing-intent/journey.json')],
      team: read('examples/pricing-intent/team.json'),
      workspace: read('examples/pricing-intent/workspace.json'),
      contacts: 300,
      seed: 4,
    });
    const wallMs = (JSON.parse(r.stdout) as { timing: { wallMs: number } }).timing.wallMs;
    const expected = { ...report, timing: { ...report.timing, wallMs } };
    expect(r.stdout).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(Object.keys(report.contacts).slice(0, 3)).toEqual(['synthetic-1', 'synthetic-10', 'synthetic-100']);
  });

  it('bounds the heap growth as serve does (--heap-growth), and exits 2 naming the flag for a bad value', () => {
    const bad = baton(...base, '--contacts', '5', '--seed', '1', '--heap-growth', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--heap-growth (BATON_HEAP_GROWTH) needs a whole percent from 0 to 1000, got "lots"');
    for (const growth of ['0', '25']) {
      const ok = baton(...base, '--contacts', '5', '--seed', '1', '--heap-growth', growth, '--json');
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout).timing.contacts).toBe(5);
    }
  });

  it('takes a population file: trait distributions, event rates and how reps answer', () => {
    const population = file('population.json', {
      traits: { employees: { uniform: { min: 1000, max: 5000 } }, title: { oneOf: [{ value: 'VP Sales' }] } },
      events: { 'Page Viewed': { perWeek: 1, properties: { path: '/pricing' } } },
      reps: { acceptRate: 0 },
    });
    const r = baton(...base, '--contacts', '40', '--seed', '2', '--population', population, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const nodes = report.nodes['pricing-intent'];
    expect(nodes.fit.entered).toBeGreaterThan(30); // once a week for 30 days: nearly everyone views pricing
    expect(nodes.handoff.entered).toBe(nodes.fit.entered); // and everyone fits
    expect(report.handoffs.accepted).toBe(0); // nobody answers

    const bad = baton(
      ...base,
      '--contacts',
      '5',
      '--seed',
      '1',
      '--population',
      file('bad-population.json', { reps: { acceptRate: 'often' } }),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('$.reps.acceptRate');
    expect(baton(...base, '--script', 'examples/pricing-intent/script.json', '--population', population).code).toBe(2);
  });

  it('splits the run between worker threads (--workers) and writes the same report, byte for byte', () => {
    const run = (workers: string) => {
      const r = baton(...base, '--contacts', '3000', '--seed', '6', '--workers', workers, '--json');
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { timing: { wallMs?: number }; handoffs: { created: number } };
      delete report.timing.wallMs;
      return report;
    };
    const alone = run('0');
    expect(alone.handoffs.created).toBeGreaterThan(0);
    const text = JSON.stringify(alone);
    for (const workers of ['1', '3']) expect(JSON.stringify(run(workers))).toBe(text);
  });

  it('exits 2 for a bad --workers, or --workers without a population', () => {
    for (const bad of ['-1', 'two', '65', '1.5']) {
      const r = baton(...base, '--contacts', '5', '--seed', '1', `--workers=${bad}`);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--workers needs a whole number');
    }
    const script = baton(...base, '--script', 'examples/pricing-intent/script.json', '--workers', '1');
    expect(script.code).toBe(2);
    expect(script.stderr).toContain('--workers splits a synthetic population');
  });

  it('exits 2 for --contacts without --seed: the population would not be reproducible', () => {
    const r = baton(...base, '--contacts', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--contacts N needs --seed S');
  });

  it('exits 2 for a bad count or for both a script and a population', () => {
    expect(baton(...base, '--contacts', 'many', '--seed', '1').code).toBe(2);
    expect(
      baton(...base, '--contacts', '5', '--seed', '1', '--script', 'examples/pricing-intent/script.json').code,
    ).toBe(2);
  });
});

describe('what a newcomer meets', () => {
  it("says that validate without --team left a handoff journey's queues and reps unchecked", () => {
    const text = baton('validate', 'examples/pricing-intent/journey.json');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'not checked: the queues, reps and calendars that handoff node "handoff" route to; give --team TEAM.json',
    );
    // With --json, stdout is exactly SPEC §8's object; the note goes to stderr.
    const json = baton('validate', 'examples/pricing-intent/journey.json', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ valid: true, errors: [] });
    expect(json.stderr).toContain('give --team TEAM.json');
    expect(
      JSON.parse(
        baton(
          'validate',
          'examples/pricing-intent/journey.json',
          '--team',
          'examples/pricing-intent/team.json',
          '--json',
        ).stdout,
      ),
    ).toEqual({ valid: true, errors: [] });
  });

  it("names the field and what it needs instead of the validator's wording", () => {
    const journey = file('fields.json', {
      schema: 'baton.journey/v1',
      id: 'f',
      name: 'f',
      trigger: {},
      start: 'w',
      nodes: [
        { id: 'w', type: 'wait', duration: 'P1D', next: 'd' },
        { id: 'd', type: 'exit', outcome: 7 },
      ],
    });
    const r = baton('validate', journey, '--json');
    expect(r.code).toBe(1);
    const errors = JSON.parse(r.stdout).errors as { path: string; message: string }[];
    expect(errors).toContainEqual(
      expect.objectContaining({ path: '$.trigger.event', message: 'is required: a string' }),
    );
    expect(errors).toContainEqual(
      expect.objectContaining({ path: '$.nodes[1].outcome', message: 'must be a string, not a number' }),
    );
    expect(r.stdout).not.toContain('Invalid input');
    const team = baton(
      'simulate',
      'examples/pricing-intent/journey.json',
      '--team',
      file('badteam.json', { reps: [{ name: 'Ana' }], queues: [{ id: 'q', members: [], strategy: 'fastest' }] }),
      '--script',
      'examples/pricing-intent/script.json',
    );
    expect(team.code).toBe(1);
    expect(team.stderr).toContain('$.reps[0].id is required: a string');
    expect(team.stderr).toContain('$.queues[0].strategy must be one of "round_robin", "weighted", "least_loaded"');
  });
});

describe('baton writing to a reader that stops early', () => {
  it('stops quietly when stdout is closed (… --json | head)', () => {
    // `head -c 100` reads a little of a large report and closes the pipe.
    const r = spawnSync(
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `"${process.execPath}" packages/server/bin/baton.mjs simulate examples/pricing-intent/journey.json --team examples/pricing-intent/team.json --workspace examples/pricing-intent/workspace.json --contacts 3000 --seed 1 --json | head -c 100 > /dev/null`,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.status).toBe(0);
  });
});
