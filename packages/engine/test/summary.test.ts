import { describe, expect, it } from 'vitest';
import { draftSummary, type SimulationReport } from '../src/internal.ts';

const handoff = (assignee: string | null, createdAt: string, assignedAt: string | null, outcome: string | null) => ({
  node: 'handoff',
  record: 'lead',
  queue: 'emea',
  assignee,
  assignedAt,
  dueAt: null,
  acceptedAt: outcome === null ? null : assignedAt,
  breached: outcome === null,
  escalatedTo: null,
  outcome,
  closedAt: null,
  createdAt,
});

const run = (handoffs: ReturnType<typeof handoff>[]) => ({
  status: 'exited' as const,
  version: 1,
  outcome: null,
  path: ['fit', 'handoff'],
  handoffs,
  messages: [],
});

const report: SimulationReport = {
  contacts: {
    c1: { journeys: { j: run([handoff('ana', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z', 'won')]) } },
    c2: { journeys: { j: run([handoff('bo', '2026-11-23T10:00:00Z', '2026-11-24T08:00:00Z', null)]) } },
    c3: { journeys: { j: run([handoff('ana', '2026-11-23T11:00:00Z', '2026-11-23T11:00:00Z', 'lost')]) } },
    // Created after the window: the draft played on past it.
    c4: { journeys: { j: run([handoff('ana', '2026-11-25T09:00:00Z', '2026-11-25T09:00:00Z', 'won')]) } },
    c5: { journeys: { other: run([handoff('cy', '2026-11-23T09:00:00Z', '2026-11-23T09:00:00Z', 'won')]) } },
  },
  nodes: { j: { fit: { entered: 4 }, handoff: { entered: 4 } }, other: { fit: { entered: 1 } } },
  handoffs: { created: 5, accepted: 3, breached: 1, unassigned: 0 },
  refused: [],
};

describe('a backtest summary of the draft (SPEC §10)', () => {
  it('counts entries, paths, handoffs per rep per day of assignment, breaches and outcomes of one journey', () => {
    expect(draftSummary(report, 'j')).toEqual({
      entries: 4,
      paths: { fit: 4, handoff: 4 },
      handoffs: { created: 4, accepted: 3, breached: 1 },
      perRepDay: [
        { rep: 'ana', day: '2026-11-23', handoffs: 2 },
        { rep: 'bo', day: '2026-11-24', handoffs: 1 },
        { rep: 'ana', day: '2026-11-25', handoffs: 1 },
      ],
      outcomes: { lost: 1, won: 2 },
    });
  });

  it('counts, beside live, only the handoffs created in the window', () => {
    const window = { from: Date.parse('2026-11-23T00:00:00Z'), to: Date.parse('2026-11-24T00:00:00Z') };
    expect(draftSummary(report, 'j', window)).toMatchObject({
      entries: 4,
      handoffs: { created: 3, accepted: 2, breached: 1 },
      perRepDay: [
        { rep: 'ana', day: '2026-11-23', handoffs: 2 },
        { rep: 'bo', day: '2026-11-24', handoffs: 1 },
      ],
      outcomes: { lost: 1, won: 1 },
    });
  });
});
