import { describe, expect, it } from 'vitest';
import { compileJourney, Journey, simulateScript } from '../src/internal.ts';

const team = {
  reps: [
    { id: 'ana', name: 'Ana', team: 'sales' },
    { id: 'mia', name: 'Mia', team: 'sales' },
  ],
  queues: [{ id: 'q1', members: ['ana'], strategy: 'round_robin' }],
};
const journey = (nodes: unknown[], start: string) => ({
  schema: 'baton.journey/v1',
  id: 'loop',
  name: 'Loop',
  trigger: { event: 'Go' },
  start,
  nodes,
});
const run = (nodes: unknown[], start: string, steps: unknown[], until = '2026-11-25T00:00:00Z') =>
  simulateScript({
    journeys: [journey(nodes, start)],
    team,
    script: { start: '2026-11-20T00:00:00Z', until, contacts: [{ id: 'u' }], steps },
  });
const go = { at: '2026-11-20T01:00:00Z', track: { userId: 'u', event: 'Go' } };
const ref = { userId: 'u', journey: 'loop', node: 'h' };

describe('a port that leads a node back to itself enters it again (SPEC §5, §8)', () => {
  it("a handoff's outcome that names its own node closes the record and makes a new one, with its own expiry", async () => {
    const report = await run(
      [
        {
          id: 'h',
          type: 'handoff',
          team: 'sales',
          record: 'task',
          route: [{ to: { queue: 'q1' } }],
          sla: { firstTouch: 'PT1H', escalate: { rep: 'mia' } },
          expires: 'P2D',
          outcomes: { ok: 'x', retry: 'h' },
          onExpire: 'lapsed',
        },
        { id: 'x', type: 'exit', outcome: 'fine' },
        { id: 'lapsed', type: 'exit', outcome: 'lapsed' },
      ],
      'h',
      [
        go,
        { at: '2026-11-20T01:10:00Z', outcome: { ...ref, outcome: 'retry' } },
        { at: '2026-11-21T12:00:00Z', outcome: { ...ref, outcome: 'ok' } }, // after the first record's expiry would have been
      ],
    );
    const run1 = report.contacts.u!.journeys.loop!;
    expect(report.refused).toEqual([]);
    expect(run1).toMatchObject({ status: 'exited', outcome: 'fine', path: ['h', 'h', 'x'] });
    expect(run1.handoffs.map((h) => [h.outcome, h.createdAt, h.closedAt])).toEqual([
      ['retry', '2026-11-20T01:00:00Z', '2026-11-20T01:10:00Z'],
      ['ok', '2026-11-20T01:10:00Z', '2026-11-21T12:00:00Z'],
    ]);
    expect(report.nodes.loop).toEqual({ h: { entered: 2 }, x: { entered: 1 } });
    expect(report.handoffs.created).toBe(2);
  });

  it('a pause whose next is itself waits again, its timeout counted from the new entry', async () => {
    const report = await run(
      [
        { id: 'p', type: 'pause', until: { event: 'Ping' }, timeout: 'P1D', next: 'p', onTimeout: 'm' },
        { id: 'm', type: 'action', action: 'email', params: {}, next: 'e' },
        { id: 'e', type: 'exit', outcome: 'done' },
      ],
      'p',
      [
        go,
        { at: '2026-11-20T12:00:00Z', track: { userId: 'u', event: 'Ping' } },
        { at: '2026-11-21T06:00:00Z', track: { userId: 'u', event: 'Ping' } },
      ],
    );
    const run1 = report.contacts.u!.journeys.loop!;
    expect(run1.path).toEqual(['p', 'p', 'p', 'm', 'e']);
    expect(run1.messages.map((m) => m.at)).toEqual(['2026-11-22T06:00:00Z']);
  });

  it('a pause whose timeout leads back to it waits again, each timeout from the new entry', async () => {
    const report = await run(
      [
        { id: 'p', type: 'pause', until: { event: 'Stop' }, timeout: 'P1D', next: 'e', onTimeout: 'p' },
        { id: 'e', type: 'exit', outcome: 'done' },
      ],
      'p',
      [go, { at: '2026-11-23T12:00:00Z', track: { userId: 'u', event: 'Stop' } }],
    );
    expect(report.contacts.u!.journeys.loop).toMatchObject({ status: 'exited', path: ['p', 'p', 'p', 'p', 'e'] });
    expect(report.nodes.loop).toEqual({ p: { entered: 4 }, e: { entered: 1 } });
  });

  it('compiles the transition to itself as one that exits and enters again', () => {
    const compiled = compileJourney(
      Journey.parse(
        journey(
          [
            { id: 'p', type: 'pause', until: { event: 'Stop' }, timeout: 'P1D', next: 'e', onTimeout: 'p' },
            { id: 'e', type: 'exit', outcome: 'done' },
          ],
          'p',
        ),
      ),
    );
    const on = (compiled.config.states as Record<string, { on: Record<string, unknown> }>).p!.on;
    expect(on['baton.timer.timeout']).toEqual({ target: 'p', reenter: true });
    expect(on.Stop).toEqual({ target: 'e' });
  });
});
