import { RepLoadTable } from './RepLoadTable.tsx';
import { useState } from 'react';
import { dictionary, own } from '@baton/engine/internal';
import { api, ApiError, type TeamShape, token } from '../api.ts';
import type { DraftJourney } from '../model/index.ts';
import type { BacktestResult, SimRequest } from './protocol.ts';

/** What the live journey did over the period, from the closed-loop report (`GET /api/reports`). */
interface LiveTotals {
  total: { handoffs: number; accepted: number; breached: number; outcomes: Record<string, number>; converted: number };
  flow?: Record<string, Record<string, { entered: number }>>;
}

/** What a backtest run asks the worker, and the live numbers it is shown beside. */
export interface BacktestRun {
  request: Extract<SimRequest, { type: 'backtest' }>;
  live: LiveTotals;
}

const DAY = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The events kept for a period, one Segment call a line, as `GET /api/events` exports them. */
async function exportedEvents(query: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`/api/events?${query}`, { headers: { authorization: `Bearer ${token() ?? ''}` } });
  if (!res.ok) throw new ApiError(res.status, 'error', `the events could not be read (HTTP ${res.status})`);
  return (await res.text())
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Gathers a backtest: the period's events, the traits each contact had when it began (from earlier
 * identify calls still kept), the reps' model fitted to the period, and the live report beside it.
 */
export async function prepareBacktest(
  journey: DraftJourney,
  team: unknown,
  workspace: unknown,
  from: string,
  to: string,
  seed: number,
): Promise<BacktestRun> {
  const period = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const [events, earlier, reps, live] = await Promise.all([
    exportedEvents(period),
    exportedEvents(`to=${encodeURIComponent(from)}`),
    api<unknown>('GET', `/reps/model?${period}`),
    api<LiveTotals>('GET', `/reports?${period}&journey=${encodeURIComponent(journey.id)}`),
  ]);
  const traits = new Map<string, Record<string, unknown>>();
  for (const e of earlier)
    if (e.type === 'identify' && typeof e.userId === 'string')
      traits.set(e.userId, { ...(traits.get(e.userId) ?? {}), ...(e.traits as Record<string, unknown>) });
  const ids = new Set(events.flatMap((e) => (typeof e.userId === 'string' ? [e.userId] : [])));
  const contacts = [...ids].flatMap((id) => (traits.has(id) ? [{ id, traits: traits.get(id)! }] : []));
  return {
    request: {
      type: 'backtest',
      journeys: [journey],
      team,
      workspace,
      events,
      reps,
      seed,
      start: from,
      until: new Date().toISOString(),
      contacts,
    },
    live,
  };
}

/** One line of the comparison: the draft's number, live's, and the difference called out. */
function Line({ name, draft, live }: { name: string; draft: number; live: number }) {
  const diff = draft - live;
  return (
    <tr data-testid={`backtest-${name}`}>
      <td>{name}</td>
      <td>{draft}</td>
      <td>{live}</td>
      <td className={diff === 0 ? 'muted' : 'bad'}>{diff === 0 ? 'same' : `${diff > 0 ? '+' : ''}${diff}`}</td>
    </tr>
  );
}

/** The Backtest tab: a period, a seed, Run, and the draft beside what live did. */
export function BacktestTab({
  journey,
  team,
  workspace,
  result,
  live,
  onRun,
  onError,
}: {
  journey: DraftJourney;
  team: unknown;
  workspace: unknown;
  result: BacktestResult | null;
  live: LiveTotals | null;
  onRun: (run: BacktestRun) => void;
  onError: (message: string) => void;
}) {
  const [period, setPeriod] = useState(() => ({ from: dateOf(Date.now() - 30 * DAY), to: dateOf(Date.now() + DAY) }));
  const [seed, setSeed] = useState(1);
  const [running, setRunning] = useState(false);
  const run = async () => {
    setRunning(true);
    try {
      onRun(
        await prepareBacktest(journey, team, workspace, `${period.from}T00:00:00Z`, `${period.to}T00:00:00Z`, seed),
      );
    } catch (e) {
      onError(e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  };
  const outcomes = dictionary<{ draft: number; live: number }>();
  for (const [o, n] of Object.entries(result?.outcomes ?? {})) outcomes[o] = { draft: n, live: 0 };
  for (const [o, n] of Object.entries(live?.total.outcomes ?? {}))
    outcomes[o] = { draft: own(outcomes, o)?.draft ?? 0, live: n };
  return (
    <>
      <p className="muted small">
        The draft over the events Baton kept for the period, reps answering as they did then, played out up to now;
        beside it, what the published journey did.
      </p>
      <label className="field inline">
        <span className="field-label">From</span>
        <input
          aria-label="backtest from"
          type="date"
          value={period.from}
          onChange={(e) => setPeriod({ ...period, from: e.target.value })}
        />
      </label>
      <label className="field inline">
        <span className="field-label">To</span>
        <input
          aria-label="backtest to"
          type="date"
          value={period.to}
          onChange={(e) => setPeriod({ ...period, to: e.target.value })}
        />
      </label>
      <label className="field inline">
        <span className="field-label">Seed</span>
        <input
          aria-label="backtest seed"
          type="number"
          value={seed}
          onChange={(e) => setSeed(Number(e.target.value))}
        />
      </label>
      <button
        type="button"
        className="primary"
        disabled={running || !(period.from < period.to)}
        onClick={() => void run()}
      >
        {running ? 'Reading the period…' : 'Run backtest'}
      </button>
      {result && live && (
        <div data-testid="backtest-result">
          <p>
            {result.events.toLocaleString()} events replayed in {(result.ms / 1000).toFixed(1)} s; the draft's counts
            are on the canvas.
          </p>
          <table className="loads small">
            <thead>
              <tr>
                <th></th>
                <th>Draft</th>
                <th>Live</th>
                <th>Difference</th>
              </tr>
            </thead>
            <tbody>
              <Line name="handoffs" draft={result.handoffs.created} live={live.total.handoffs} />
              <Line name="accepted" draft={result.handoffs.accepted} live={live.total.accepted} />
              <Line name="SLA breaches" draft={result.handoffs.breached} live={live.total.breached} />
              <Line name="converted" draft={result.converted} live={live.total.converted} />
              {Object.entries(outcomes).map(([o, n]) => (
                <Line key={o} name={`outcome ${o}`} draft={n.draft} live={n.live} />
              ))}
            </tbody>
          </table>
          <h4>Handoffs per rep per day (draft)</h4>
          <RepLoadTable perRepDay={result.perRepDay} team={team as TeamShape | null} />
        </div>
      )}
    </>
  );
}
