import { useEffect, useState } from 'react';
import type { HandoffReport, HandoffStats } from '@baton/engine/internal';
import { api, type JourneyDetail, type JourneySummary, type TeamShape, token } from '../api.ts';
import { isRecord } from '../model/draft.ts';
import { BarChart } from './BarChart.tsx';
import { nextDay, trendDays } from './trend.ts';

type Stats = HandoffStats;
type Report = HandoffReport;

const pct = (r: number | null) => (r === null ? '–' : `${Math.round(r * 1000) / 10}%`);
const secs = (s: number | null) => {
  if (s === null) return '–';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 360) / 10}h`;
  return `${Math.round(s / 8640) / 10}d`;
};
/**
 * Revenue in the workspace's currency (`workspace.currency`, an ISO 4217 code, an addition to SPEC), or as
 * a plain number when none is set.
 */
export const moneyIn = (currency: string | undefined) => {
  const format = new Intl.NumberFormat(undefined, {
    maximumFractionDigits: 0,
    ...(currency ? { style: 'currency', currency } : {}),
  });
  return (v: number) => format.format(v);
};

/** Names for the ids a report is keyed by: journeys and reps by name, falling back to the id. */
export interface Names {
  journey: (id: string) => string;
  rep: (id: string) => string;
  /** A `journey/node` key as "Journey name / step name". */
  node: (key: string) => string;
  /** A step of a journey by its label, else its id. */
  step: (journey: string, node: string) => string;
}

/** Each journey's step labels by node id, from its published definition and its draft. */
export type StepLabels = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function namesOf(
  journeys: readonly JourneySummary[],
  team: TeamShape | null,
  labels: StepLabels = new Map(),
): Names {
  const journeyNames = new Map(journeys.map((j) => [j.id, j.name || j.id]));
  const repNames = new Map((team?.reps ?? []).map((r) => [r.id, r.name || r.id]));
  // The longest journey id the key starts with, so an id with a "/" in it is still found whole.
  const byLength = [...journeyNames.keys()].sort((a, b) => b.length - a.length);
  return {
    journey: (id) => journeyNames.get(id) ?? id,
    rep: (id) => repNames.get(id) ?? id,
    node: (key) => {
      const id = byLength.find((j) => key.startsWith(`${j}/`));
      if (id === undefined) return key;
      const node = key.slice(id.length + 1);
      return `${journeyNames.get(id)} / ${labels.get(id)?.get(node) ?? node}`;
    },
    step: (journey, node) => labels.get(journey)?.get(node) ?? node,
  };
}

/** Step labels by node id from journey definitions, later ones over earlier ones. */
function stepLabels(definitions: unknown[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const d of definitions)
    if (isRecord(d) && Array.isArray(d.nodes))
      for (const n of d.nodes)
        if (isRecord(n) && typeof n.id === 'string' && typeof n.label === 'string' && n.label)
          labels.set(n.id, n.label);
  return labels;
}

function StatsTable({
  title,
  rows,
  name = (k) => k,
  money,
}: {
  title: string;
  rows: Record<string, Stats>;
  name?: (key: string) => string;
  money: (v: number) => string;
}) {
  const entries = Object.entries(rows);
  const most = Math.max(1, ...entries.map(([, s]) => s.handoffs));
  return (
    <section className="report-table">
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="muted">No handoffs in this period.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th></th>
              <th>Handoffs</th>
              <th>Accept rate</th>
              <th>First touch p50</th>
              <th>p90</th>
              <th>SLA breaches</th>
              <th>Rejected</th>
              <th>Outcomes</th>
              <th title="handoffs whose run went on to a converting exit, of all handoffs">Conversion</th>
              <th>Revenue</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([key, s]) => (
              <tr key={key}>
                <td>
                  <strong title={name(key) === key ? undefined : key}>{name(key)}</strong>
                </td>
                <td>
                  {s.handoffs}
                  <div className="bar">
                    <span style={{ width: `${(s.handoffs / most) * 100}%` }} />
                  </div>
                </td>
                <td>{pct(s.acceptRate)}</td>
                <td>{secs(s.timeToFirstTouch.p50)}</td>
                <td>{secs(s.timeToFirstTouch.p90)}</td>
                <td className={s.breached ? 'bad' : ''}>
                  {s.breached} ({pct(s.breachRate)})
                </td>
                <td>{s.rejected}</td>
                <td className="small">
                  {Object.entries(s.outcomes)
                    .map(([o, n]) => `${o.replace(/_/g, ' ')} ${n}`)
                    .join(' · ') || '–'}
                </td>
                <td>{pct(s.conversionRate)}</td>
                <td>{money(s.revenue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The unit that suits the slowest of some durations (seconds, minutes or hours), and a converter to it. */
function durationUnit(seconds: (number | null)[]): { unit: string; of: (s: number | null) => number | null } {
  const most = Math.max(0, ...seconds.map((s) => s ?? 0));
  const [unit, size] = most < 120 ? ['seconds', 1] : most < 7200 ? ['minutes', 60] : ['hours', 3600];
  return { unit, of: (s) => (s === null ? null : Math.round((s / size) * 10) / 10) };
}

/** The trend: handoffs, accepted and breached per day of the period, days without handoffs as zeros. */
function Trend({ report }: { report: Report }) {
  const days = trendDays(report);
  const at = (d: string) => report.days[d];
  return (
    <section className="trend">
      <BarChart
        counts
        title="Per day"
        labels={days}
        series={[
          { label: 'handoffs', data: days.map((d) => at(d)?.handoffs ?? 0), color: '#6366f1' },
          { label: 'accepted', data: days.map((d) => at(d)?.accepted ?? 0), color: '#10b981' },
          { label: 'breached', data: days.map((d) => at(d)?.breached ?? 0), color: '#ef4444' },
        ]}
      />
    </section>
  );
}

/** The period at a glance: each rep's handoffs, how fast they are touched, and what came of them. */
function Charts({ report, names }: { report: Report; names: Names }) {
  const reps = Object.entries(report.reps).map(([r, s]) => [names.rep(r), s] as const);
  const outcomes = Object.entries(report.total.outcomes);
  const touch = durationUnit(reps.flatMap(([, s]) => [s.timeToFirstTouch.p50, s.timeToFirstTouch.p90]));
  return (
    <section className="charts">
      <BarChart
        counts
        title="Handoffs by rep"
        labels={reps.map(([r]) => r)}
        series={[
          { label: 'handoffs', data: reps.map(([, s]) => s.handoffs), color: '#6366f1' },
          { label: 'accepted', data: reps.map(([, s]) => s.accepted), color: '#10b981' },
          { label: 'breached', data: reps.map(([, s]) => s.breached), color: '#ef4444' },
        ]}
      />
      <BarChart
        title="Time to first touch by rep"
        unit={touch.unit}
        labels={reps.map(([r]) => r)}
        series={[
          { label: 'p50', data: reps.map(([, s]) => touch.of(s.timeToFirstTouch.p50)), color: '#0ea5e9' },
          { label: 'p90', data: reps.map(([, s]) => touch.of(s.timeToFirstTouch.p90)), color: '#f59e0b' },
        ]}
      />
      <BarChart
        counts
        title="Outcomes"
        labels={outcomes.map(([o]) => o.replace(/_/g, ' '))}
        series={[{ label: 'handoffs', data: outcomes.map(([, n]) => n), color: '#8b5cf6' }]}
      />
    </section>
  );
}

/** Closed-loop reports over a period: per journey, handoff node, queue and rep, with a CSV export. */
export function Reports() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [journey, setJourney] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [journeys, setJourneys] = useState<JourneySummary[]>([]);
  const [team, setTeam] = useState<TeamShape | null>(null);
  const [labels, setLabels] = useState<StepLabels>(new Map());
  const [currency, setCurrency] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const query = new URLSearchParams({
    ...(from ? { from: `${from}T00:00:00Z` } : {}),
    // "To" is the last day shown, included: the API's `to` is exclusive, so it is the next day's start.
    ...(to ? { to: nextDay(to) } : {}),
    ...(journey ? { journey } : {}),
  }).toString();
  useEffect(() => {
    api<Report>('GET', `/reports${query ? `?${query}` : ''}`).then(
      (r) => {
        setReport(r);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [query]);
  useEffect(() => {
    api<{ journeys: JourneySummary[] }>('GET', '/journeys').then(
      (r) => {
        setJourneys(r.journeys);
        // Steps by their labels: the published version's, the draft's over them.
        void Promise.all(
          r.journeys.map((j) =>
            api<JourneyDetail>('GET', `/journeys/${encodeURIComponent(j.id)}`).then(
              (d) => [j.id, stepLabels([d.definition, d.draftDefinition])] as const,
              () => [j.id, new Map<string, string>()] as const,
            ),
          ),
        ).then((all) => setLabels(new Map(all)));
      },
      () => undefined,
    );
    api<TeamShape>('GET', '/team').then(setTeam, () => undefined);
    api<{ currency?: string }>('GET', '/workspace').then(
      (w) => setCurrency(w.currency),
      () => undefined,
    );
  }, []);
  const names = namesOf(journeys, team, labels);
  const money = moneyIn(currency);
  const downloadCsv = async () => {
    const res = await fetch(
      `/api/reports?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(query)), format: 'csv' })}`,
      { headers: { authorization: `Bearer ${token() ?? ''}` } },
    );
    const url = URL.createObjectURL(await res.blob());
    Object.assign(document.createElement('a'), { href: url, download: 'baton-report.csv' }).click();
    URL.revokeObjectURL(url);
  };
  const t = report?.total;
  return (
    <main className="reports">
      <div className="list-head">
        <h1>Reports</h1>
        <div className="actions">
          <label className="inline">
            Journey{' '}
            <select aria-label="journey" value={journey} onChange={(e) => setJourney(e.target.value)}>
              <option value="">All journeys</option>
              {journeys.map((j) => (
                <option key={j.id} value={j.id}>
                  {j.name || j.id}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            From <input type="date" aria-label="from" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="inline">
            To <input type="date" aria-label="to" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="button" onClick={() => void downloadCsv()}>
            Export CSV
          </button>
        </div>
      </div>
      {error && <p className="error-banner">{error}</p>}
      {t && (
        <div className="cards" data-testid="report-totals">
          <div className="card">
            <span>Handoffs</span>
            <strong>{t.handoffs}</strong>
            <em>{t.open} open</em>
          </div>
          <div className="card">
            <span>Accept rate</span>
            <strong>{pct(t.acceptRate)}</strong>
            <em>
              {t.accepted} accepted · {t.rejected} rejected
            </em>
          </div>
          <div className="card">
            <span>Time to first touch</span>
            <strong>{secs(t.timeToFirstTouch.p50)}</strong>
            <em>p90 {secs(t.timeToFirstTouch.p90)}</em>
          </div>
          <div className="card">
            <span>SLA breach rate</span>
            <strong className={t.breached ? 'bad' : ''}>{pct(t.breachRate)}</strong>
            <em>{t.breached} breached</em>
          </div>
          <div className="card">
            <span>Conversion</span>
            <strong>{pct(t.conversionRate)}</strong>
            <em>
              {t.converted} of {t.handoffs} handoffs converted
            </em>
          </div>
          <div className="card">
            <span>Revenue</span>
            <strong>{money(t.revenue)}</strong>
            <em>sum of outcome values{currency ? '' : ' (no currency set)'}</em>
          </div>
        </div>
      )}
      {report && (
        <>
          <Trend report={report} />
          <Charts report={report} names={names} />
          <StatsTable title="By journey" rows={report.journeys} name={names.journey} money={money} />
          <StatsTable title="By handoff step" rows={report.nodes} name={names.node} money={money} />
          <StatsTable title="By queue" rows={report.queues} money={money} />
          <StatsTable title="By rep" rows={report.reps} name={names.rep} money={money} />
          <section className="report-table">
            <h3>Contacts through each journey</h3>
            <table>
              <thead>
                <tr>
                  <th>Journey</th>
                  <th>Step</th>
                  <th>Entered</th>
                  <th>There now</th>
                  <th>Moved on</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(report.flow).flatMap(([j, nodes]) =>
                  Object.entries(nodes).map(([n, c]) => (
                    <tr key={`${j}/${n}`}>
                      <td>{names.journey(j)}</td>
                      <td title={names.step(j, n) === n ? undefined : n}>{names.step(j, n)}</td>
                      <td>{c.entered}</td>
                      <td>{c.current}</td>
                      <td>{c.exited}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </section>
        </>
      )}
    </main>
  );
}
