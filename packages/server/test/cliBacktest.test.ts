import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const baton = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'packages/server/bin/baton.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), 'baton-backtest-'));
const file = (name: string, content: string) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

const T0 = Date.parse('2026-11-23T08:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const calls = Array.from({ length: 6 }, (_, i) => [
  {
    type: 'identify',
    userId: `c${i}`,
    traits: { employees: 900, title: 'VP Sales', region: 'EMEA' },
    timestamp: at(i * 3_600_000),
  },
  {
    type: 'track',
    userId: `c${i}`,
    event: 'Page Viewed',
    properties: { path: '/pricing' },
    timestamp: at(i * 3_600_000 + 60_000),
  },
]).flat();
const events = file('events.ndjson', `${calls.map((c) => JSON.stringify(c)).join('\n')}\n\n`);
const reps = (acceptShare: number) =>
  file(
    `reps-${acceptShare}.json`,
    JSON.stringify({
      reps: Object.fromEntries(
        ['ana', 'bo', 'cy', 'mia'].map((r) => [
          r,
          {
            handoffs: 4,
            acceptShare,
            acceptSeconds: 1800,
            outcomeSeconds: 7200,
            outcomes: { 'pricing-intent': { handoff: { meeting_booked: 1 } } },
          },
        ]),
      ),
    }),
  );
const base = [
  'simulate',
  'examples/pricing-intent/journey.json',
  '--team',
  'examples/pricing-intent/team.json',
  '--workspace',
  'examples/pricing-intent/workspace.json',
];

describe('baton simulate --events EVENTS.ndjson [--reps REPS.json] --seed S', () => {
  it('replays recorded events with the reps model, the same for the same seed, with timing', () => {
    const a = baton(...base, '--events', events, '--reps', reps(1), '--seed', '5', '--json');
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const report = JSON.parse(a.stdout);
    expect(Object.keys(report).sort()).toEqual(['backtest', 'contacts', 'handoffs', 'nodes', 'refused', 'timing']);
    expect(report.timing).toMatchObject({ seed: 5, events: 12, from: '2026-11-23T08:00:00Z' });
    expect(report.handoffs).toMatchObject({ created: 6, accepted: 6, breached: 0 });
    // The draft summed up as a backtest compares it (SPEC §10): entries, path counts, handoffs per rep
    // per day, breaches and outcomes.
    const summary = report.backtest['pricing-intent'];
    expect(summary).toMatchObject({
      entries: 6,
      handoffs: { created: 6, accepted: 6, breached: 0 },
      outcomes: { meeting_booked: 6 },
    });
    expect(summary.paths).toEqual(
      Object.fromEntries(
        Object.entries(report.nodes['pricing-intent'] as Record<string, { entered: number }>).map(([n, c]) => [
          n,
          c.entered,
        ]),
      ),
    );
    const assigned = Object.values(
      report.contacts as Record<
        string,
        { journeys: Record<string, { handoffs: { assignee: string; assignedAt: string }[] }> }
      >,
    ).flatMap((c) => c.journeys['pricing-intent']!.handoffs);
    const perRepDay = new Map<string, number>();
    for (const h of assigned) {
      const key = `${h.assignedAt.slice(0, 10)} ${h.assignee}`;
      perRepDay.set(key, (perRepDay.get(key) ?? 0) + 1);
    }
    expect(
      summary.perRepDay.map((r: { day: string; rep: string; handoffs: number }) => [`${r.day} ${r.rep}`, r.handoffs]),
    ).toEqual([...perRepDay].sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(summary.perRepDay.length).toBeGreaterThan(1); // the leads went to more than one rep
    expect(report.contacts.c0.journeys['pricing-intent']).toMatchObject({
      status: 'exited',
      version: 1,
      outcome: 'converted',
      path: ['fit', 'handoff', 'won'],
    });
    const again = JSON.parse(baton(...base, '--events', events, '--reps', reps(1), '--seed', '5', '--json').stdout);
    delete report.timing.wallMs;
    delete again.timing.wallMs;
    expect(again).toEqual(report);
  });

  it('without --reps, nobody acts: every handoff breaches at its SLA', () => {
    const report = JSON.parse(baton(...base, '--events', events, '--seed', '1', '--json').stdout);
    expect(report.handoffs).toMatchObject({ created: 6, accepted: 0, breached: 6 });
  });

  it('names the file and line of a call it cannot replay (exit 1), and is misuse without --seed or with --script (exit 2)', () => {
    const bad = file('bad.ndjson', `${JSON.stringify(calls[0])}\n{"type":"track","userId":"x","event":"Seen"}\n`);
    const r = baton(...base, '--events', bad, '--seed', '1', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors.map((e: { path: string }) => e.path)).toEqual([`${bad}:2.timestamp`]);
    const empty = baton(...base, '--events', file('empty.ndjson', '\n\n'), '--seed', '1', '--json');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('holds no calls');
    const unknown = file('unknown.ndjson', `${JSON.stringify({ ...calls[0], type: 'foo' })}\n`);
    expect(JSON.parse(baton(...base, '--events', unknown, '--seed', '1', '--json').stdout).errors).toEqual([
      { path: `${unknown}:1.type`, node: null, message: 'must be one of track, identify, page, screen, group, alias' },
    ]);
    expect(baton(...base, '--events', file('broken.ndjson', '{"type":\n'), '--seed', '1').stderr).toContain(
      'line 1 is not valid JSON',
    );
    expect(baton(...base, '--events', events).code).toBe(2);
    expect(
      baton(...base, '--events', events, '--seed', '1', '--script', 'examples/pricing-intent/script.json').code,
    ).toBe(2);
    expect(baton(...base, '--contacts', '3', '--seed', '1', '--reps', reps(1)).code).toBe(2);
    const days = baton(...base, '--events', events, '--seed', '1', '--days', '3', '--json');
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('--days sets how long a synthetic population runs');
  });
});

describe('baton simulate --script with a publish step (SPEC §10)', () => {
  it("publishes and migrates at the step's instant, and each contact's entry says its version", () => {
    const welcome = (duration: string) => ({
      schema: 'baton.journey/v1',
      id: 'welcome',
      name: 'Welcome',
      trigger: { event: 'Signed Up' },
      start: 'wait',
      nodes: [
        { id: 'wait', type: 'wait', duration, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'welcomed' },
      ],
    });
    const journey = file('welcome.json', JSON.stringify(welcome('P3D')));
    const script = file(
      'publish.json',
      JSON.stringify({
        start: '2026-11-23T09:00:00Z',
        until: '2026-12-01T00:00:00Z',
        steps: [
          { at: '2026-11-23T09:00:00Z', track: { userId: 'early', event: 'Signed Up' } },
          { at: '2026-11-23T09:00:00Z', track: { userId: 'also', event: 'Signed Up' } },
          { at: '2026-11-24T12:00:00Z', publish: { journey: welcome('P1D'), migrate: {} } },
        ],
      }),
    );
    const r = baton('simulate', journey, '--script', script, '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.refused).toEqual([]);
    // Both waited at "wait" when v2 came; entered + P1D had passed, so both finish on v2 at the publish instant.
    expect(report.contacts.early.journeys.welcome).toMatchObject({
      status: 'exited',
      version: 2,
      path: ['wait', 'done'],
    });
    expect(report.contacts.also.journeys.welcome.version).toBe(2);
  });
});
