import { RepLoadTable } from './RepLoadTable.tsx';
import { useEffect, useRef, useState } from 'react';
import { addDuration, isIsoDuration } from '@baton/engine/internal';
import type { TeamShape } from '../api.ts';
import { HandoffRecord } from '../inbox/HandoffRecord.tsx';
import { eachRecord, isRecord, type DraftJourney } from '../model/index.ts';
import { conditionTraits, populationModel, type PopulationForm } from './population.ts';
import type { BacktestResult, PopulationResult, SimRequest, SimResponse, TestContactState } from './protocol.ts';
import { BacktestTab, type BacktestRun } from './BacktestTab.tsx';

/** Where the virtual clock starts, for the test contact and a population alike: Monday 23 November 2026, 09:00 UTC. */
const CLOCK_START = '2026-11-23T09:00:00Z';
/** An instant on the virtual clock, short: "11-23 10:30" (UTC). */
const short = (iso: string) => iso.slice(5, 16).replace('T', ' ');

/** What the simulation shows on the canvas: where the test contact is and has been, or a population's counts. */
export interface SimOverlay {
  current: string | null;
  path: string[];
  counts: Record<string, number> | null;
  /** What a count means, per node, shown when hovering it. */
  details?: Record<string, string>;
  /** Live numbers: of the contacts counted at each node, how many then converted. */
  converted?: Record<string, number>;
}

/** The events a journey listens to: its trigger, its pauses, and the event rules of its conditions. */
export function listenedEvents(journey: DraftJourney): string[] {
  const names = new Set<string>();
  if (journey.trigger?.event) names.add(journey.trigger.event);
  for (const n of journey.nodes)
    if (n.type === 'pause' && isRecord(n.until) && typeof n.until.event === 'string') names.add(n.until.event);
  eachRecord([journey.nodes, journey.trigger?.when], (v) => {
    if (typeof v.event === 'string' && ('within' in v || 'op' in v || 'where' in v)) names.add(v.event);
  });
  return [...names];
}

/** Properties that make the trigger's condition hold, when it is a plain `event.properties.x eq v` rule. */
function triggerProperties(journey: DraftJourney): Record<string, unknown> {
  const when = journey.trigger?.when;
  if (
    isRecord(when) &&
    typeof when.field === 'string' &&
    when.field.startsWith('event.properties.') &&
    when.op === 'eq'
  )
    return { [when.field.slice(17)]: when.value };
  return {};
}

const HOUR = 3_600_000;

/**
 * Simulation mode: a test contact on a virtual clock, or a synthetic population. The engine runs in a Web
 * Worker against the journey as drawn (saved or not); nothing is sent and live data is never touched.
 */
export function SimPanel({
  journey,
  team,
  workspace,
  valid,
  onOverlay,
}: {
  journey: DraftJourney;
  team: TeamShape | null;
  workspace: unknown;
  valid: boolean;
  onOverlay: (o: SimOverlay | null) => void;
}) {
  const worker = useRef<Worker | null>(null);
  const [tab, setTab] = useState<'contact' | 'population' | 'backtest'>('contact');
  const [backtest, setBacktest] = useState<{ result: BacktestResult | null; live: BacktestRun['live'] | null }>({
    result: null,
    live: null,
  });
  const [traits, setTraits] = useState(
    '{ "company": "Acme", "employees": 900, "title": "VP Sales", "region": "EMEA" }',
  );
  const [state, setState] = useState<TestContactState | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const [props, setProps] = useState<Record<string, string>>({});
  const [size, setSize] = useState({ contacts: 1000, seed: 1, days: 30 });
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [result, setResult] = useState<PopulationResult | null>(null);
  const [traitTexts, setTraitTexts] = useState<Record<string, string>>({});
  const [rates, setRates] = useState<Record<string, string>>({});
  const [reps, setReps] = useState<PopulationForm['reps']>({
    acceptPercent: '90',
    acceptHours: '3',
    outcomeHours: '24',
  });
  const [newTrait, setNewTrait] = useState('');
  const [jump, setJump] = useState('P3D');

  useEffect(() => {
    const w = new Worker(new URL('./simWorker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<SimResponse>) => {
      const m = e.data;
      if (m.type === 'contact') {
        setState(m.state);
        setMessage(m.refused ?? null);
        onOverlay({
          current: m.state.journey?.status === 'exited' ? null : (m.state.journey?.node ?? null),
          path: m.state.journey?.path ?? [],
          counts: null,
        });
      } else if (m.type === 'progress') setProgress({ done: m.done, total: m.total });
      else if (m.type === 'population') {
        setResult(m.result);
        setProgress(null);
        onOverlay({
          current: null,
          path: [],
          counts: Object.fromEntries(Object.entries(m.result.nodes).map(([n, c]) => [n, c.entered])),
        });
      } else if (m.type === 'backtest') {
        setBacktest((b) => ({ ...b, result: m.result }));
        setMessage(null);
        onOverlay({
          current: null,
          path: [],
          counts: Object.fromEntries(Object.entries(m.result.nodes).map(([n, c]) => [n, c.entered])),
        });
      } else {
        setMessage(m.message);
        setProgress(null);
      }
    };
    worker.current = w;
    return () => {
      w.terminate();
      onOverlay(null);
    };
  }, [onOverlay]);

  const send = (req: SimRequest) => worker.current?.postMessage(req);
  const world = { journeys: [journey], team, workspace };

  useEffect(() => {
    if (!playing) return;
    const t = setInterval(() => send(state?.nextDue ? { type: 'nextTimer' } : { type: 'advance', ms: HOUR }), 700);
    return () => clearInterval(t);
  });

  const startContact = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(traits);
    } catch {
      setMessage('the traits are not JSON');
      return;
    }
    send({
      type: 'start',
      ...world,
      contact: { id: 'test-contact', traits: parsed as Record<string, unknown> },
      start: CLOCK_START,
    });
  };
  const events = listenedEvents(journey);
  /** An event's properties as typed, or at first the ones that meet the trigger's rule. */
  const propsText = (ev: string) =>
    props[ev] ?? JSON.stringify(ev === journey.trigger?.event ? triggerProperties(journey) : {});
  const traitFields = [...new Set([...conditionTraits(journey, workspace), ...Object.keys(traitTexts)])];
  const form: PopulationForm = {
    traits: traitFields.map((field) => ({ field, text: traitTexts[field] ?? '' })),
    events: events.map((event) => ({ event, perWeek: rates[event] ?? '' })),
    reps,
  };
  const model = populationModel(form);
  const openHandoff = state?.handoffs.find((h) => h.status === 'open') ?? null;
  const lastHandoff = openHandoff ?? state?.handoffs.at(-1) ?? null;

  if (!valid)
    return (
      <aside className="inspector sim">
        <h3>Simulate</h3>
        <p className="error-banner">
          Fix the problems first: the simulation runs the journey as it would be published.
        </p>
      </aside>
    );

  return (
    <aside className="inspector sim" aria-label="simulation">
      <div className="tabs">
        <button type="button" className={tab === 'contact' ? 'tab active' : 'tab'} onClick={() => setTab('contact')}>
          Test contact
        </button>
        <button
          type="button"
          className={tab === 'population' ? 'tab active' : 'tab'}
          onClick={() => setTab('population')}
        >
          Population
        </button>
        <button type="button" className={tab === 'backtest' ? 'tab active' : 'tab'} onClick={() => setTab('backtest')}>
          Backtest
        </button>
      </div>
      <p className="muted small">Runs in your browser on a virtual clock: nothing is sent, live data is untouched.</p>
      {message && (
        <p className="error-banner" role="alert">
          {message}
        </p>
      )}
      {tab === 'backtest' ? (
        <BacktestTab
          journey={journey}
          team={team}
          workspace={workspace}
          result={backtest.result}
          live={backtest.live}
          onError={setMessage}
          onRun={(run) => {
            setBacktest({ result: null, live: run.live });
            send(run.request);
          }}
        />
      ) : tab === 'contact' ? (
        <>
          <label className="field">
            <span className="field-label">Traits</span>
            <textarea aria-label="traits" rows={3} value={traits} onChange={(e) => setTraits(e.target.value)} />
          </label>
          <button type="button" className="primary" onClick={startContact}>
            {state ? 'Restart' : 'Start'} at Mon 23 Nov 09:00 UTC
          </button>
          {state && (
            <>
              <div className="sim-clock">
                <strong data-testid="sim-now">{state.now.replace('T', ' ').replace('Z', ' UTC')}</strong>
                <div className="row-buttons">
                  <button type="button" onClick={() => setPlaying(!playing)}>
                    {playing ? 'Pause' : 'Play'}
                  </button>
                  <button type="button" onClick={() => send({ type: 'nextTimer' })} disabled={!state.nextDue}>
                    Next timer{state.nextDue ? ` (${short(state.nextDue)})` : ''}
                  </button>
                  <button type="button" onClick={() => send({ type: 'advance', ms: HOUR })}>
                    +1 h
                  </button>
                  <button type="button" onClick={() => send({ type: 'advance', ms: 24 * HOUR })}>
                    +1 day
                  </button>
                </div>
                <div className="sim-event">
                  <input
                    aria-label="jump by"
                    placeholder="ISO duration, e.g. P3D or PT45M"
                    value={jump}
                    onChange={(e) => setJump(e.target.value)}
                  />
                  <button
                    type="button"
                    disabled={!isIsoDuration(jump)}
                    title={isIsoDuration(jump) ? undefined : 'an ISO 8601 duration such as PT4H, P2D or P1W'}
                    onClick={() => {
                      const now = Date.parse(state.now);
                      send({ type: 'advance', ms: addDuration(now, jump) - now });
                    }}
                  >
                    Jump
                  </button>
                </div>
              </div>
              <h4>Send an event</h4>
              {events.map((ev) => (
                <div key={ev} className="sim-event">
                  <input
                    aria-label={`${ev} properties`}
                    placeholder="properties JSON"
                    value={propsText(ev)}
                    onChange={(e) => setProps({ ...props, [ev]: e.target.value })}
                  />
                  <button
                    type="button"
                    onClick={() => {
                      try {
                        send({
                          type: 'track',
                          event: ev,
                          properties: JSON.parse(propsText(ev)) as Record<string, unknown>,
                        });
                      } catch {
                        setMessage(`the properties of ${ev} are not JSON`);
                      }
                    }}
                  >
                    {ev}
                  </button>
                </div>
              ))}
              <h4>Where the contact is</h4>
              <p data-testid="sim-position">
                {state.journey
                  ? state.journey.status === 'exited'
                    ? `exited: ${state.journey.outcome}`
                    : `${state.journey.status} at ${state.journey.node}`
                  : 'not in the journey yet'}
              </p>
              {state.journey && <p className="path small">{state.journey.path.join(' → ')}</p>}
              {lastHandoff && (
                <div className="sim-handoff">
                  <h4>The handoff, as the rep sees it</h4>
                  <HandoffRecord
                    handoff={{ ...lastHandoff, links: undefined } as never}
                    me={{ role: 'admin', name: 'you, as the rep' }}
                    team={team}
                    now={Date.parse(state.now)}
                    onChanged={() => undefined}
                    timeline={state.timeline}
                    act={async (path, body) => {
                      const b = (body ?? {}) as { outcome?: string; reason?: string };
                      send({
                        type: 'rep',
                        action: path as 'accept' | 'reject' | 'outcome',
                        ...(b.outcome ? { outcome: b.outcome } : {}),
                        ...(b.reason ? { reason: b.reason } : {}),
                      });
                    }}
                  />
                </div>
              )}
              {state.messages.length > 0 && (
                <>
                  <h4>Messages</h4>
                  <ul className="timeline">
                    {state.messages.map((m, i) => (
                      <li key={i}>
                        {m.action} at {m.node}
                        {m.suppressed ? ' (held back)' : ''}
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {state.timeline.length > 0 && (
                <>
                  <h4>The contact's timeline now, newest first</h4>
                  <ul className="timeline" data-testid="sim-timeline">
                    {[...state.timeline].reverse().map((e, i) => (
                      <li key={i}>
                        <span className="muted small">{short(e.at)}</span> {e.name}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
        </>
      ) : (
        <>
          <div className="row3">
            <label className="field">
              <span className="field-label">Contacts</span>
              <input
                aria-label="contacts"
                type="number"
                min={1}
                max={100000}
                value={size.contacts}
                onChange={(e) => setSize({ ...size, contacts: Number(e.target.value) })}
              />
            </label>
            <label className="field">
              <span className="field-label">Seed</span>
              <input
                aria-label="seed"
                type="number"
                value={size.seed}
                onChange={(e) => setSize({ ...size, seed: Number(e.target.value) })}
              />
            </label>
            <label className="field">
              <span className="field-label">Days</span>
              <input
                aria-label="days"
                type="number"
                min={1}
                max={366}
                value={size.days}
                onChange={(e) => setSize({ ...size, days: Number(e.target.value) })}
              />
            </label>
          </div>
          <h4>Traits</h4>
          <p className="muted small">
            Blank: drawn from the values the conditions name. Or type a range <code>500-5000</code>, a spread{' '}
            <code>~900 ± 200</code>, or values with weights <code>VP Sales:3, Engineer</code>.
          </p>
          {form.traits.map(({ field, text }) => (
            <label key={field} className="field inline">
              <span className="field-label">{field}</span>
              <input
                aria-label={`trait ${field}`}
                placeholder="from the conditions"
                value={text}
                onChange={(e) => setTraitTexts({ ...traitTexts, [field]: e.target.value })}
              />
            </label>
          ))}
          <div className="sim-event">
            <input
              aria-label="new trait"
              placeholder="another trait, e.g. plan"
              value={newTrait}
              onChange={(e) => setNewTrait(e.target.value)}
            />
            <button
              type="button"
              disabled={!/^[A-Za-z0-9_$-]+$/.test(newTrait) || traitFields.includes(newTrait)}
              onClick={() => {
                setTraitTexts({ ...traitTexts, [newTrait]: '' });
                setNewTrait('');
              }}
            >
              Add trait
            </button>
          </div>
          <h4>Events per contact per week</h4>
          <p className="muted small">
            Blank: each contact does it a few times at random. A rate makes it a steady habit, the trigger included.
          </p>
          {form.events.map(({ event, perWeek }) => (
            <label key={event} className="field inline">
              <span className="field-label">{event}</span>
              <input
                aria-label={`${event} per week`}
                type="number"
                min={0}
                step="any"
                placeholder="at random"
                value={perWeek}
                onChange={(e) => setRates({ ...rates, [event]: e.target.value })}
              />
            </label>
          ))}
          <h4>Reps</h4>
          <div className="row3">
            <label className="field">
              <span className="field-label">Accept %</span>
              <input
                aria-label="accepted %"
                type="number"
                min={0}
                max={100}
                value={reps.acceptPercent}
                onChange={(e) => setReps({ ...reps, acceptPercent: e.target.value })}
              />
            </label>
            <label className="field">
              <span className="field-label">Hours to accept</span>
              <input
                aria-label="hours to accept"
                type="number"
                min={0}
                step="any"
                value={reps.acceptHours}
                onChange={(e) => setReps({ ...reps, acceptHours: e.target.value })}
              />
            </label>
            <label className="field">
              <span className="field-label">Hours to outcome</span>
              <input
                aria-label="hours to outcome"
                type="number"
                min={0}
                step="any"
                value={reps.outcomeHours}
                onChange={(e) => setReps({ ...reps, outcomeHours: e.target.value })}
              />
            </label>
          </div>
          <p className="muted small">
            Response times are averages (exponential). Each assignment is accepted with this chance, so a handoff that
            breaches and escalates gets a second chance with the next rep; one nobody accepts expires.
          </p>
          {'problems' in model && (
            <ul className="problems-inline" role="alert">
              {model.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <button
            type="button"
            className="primary"
            disabled={progress !== null || 'problems' in model}
            onClick={() => {
              if (!('model' in model)) return;
              setResult(null);
              setProgress({ done: 0, total: 1 });
              send({ type: 'population', ...world, ...size, start: CLOCK_START, population: model.model });
            }}
          >
            Run
          </button>
          {progress && (
            <div
              className="progress"
              role="progressbar"
              aria-valuenow={Math.round((progress.done / progress.total) * 100)}
            >
              <span style={{ width: `${(progress.done / progress.total) * 100}%` }} />
            </div>
          )}
          {result && (
            <div data-testid="population-result">
              <p>
                <strong>{result.contacts.toLocaleString()}</strong> contacts, {result.events.toLocaleString()} events in{' '}
                {(result.ms / 1000).toFixed(1)} s. The counts are on the canvas.
              </p>
              <dl className="traits">
                <dt>handoffs</dt>
                <dd>{result.handoffs.created}</dd>
                <dt>accepted</dt>
                <dd data-testid="accepted">{result.handoffs.accepted}</dd>
                <dt>SLA breaches</dt>
                <dd data-testid="breach-rate">
                  {result.handoffs.breached} (
                  {result.breachRate === null ? '–' : `${Math.round(result.breachRate * 1000) / 10}%`} projected)
                </dd>
                <dt>waited unassigned</dt>
                <dd>{result.handoffs.unassigned}</dd>
              </dl>
              <h4>Handoffs per rep per day</h4>
              <RepLoadTable perRepDay={result.perRepDay} team={team} />
            </div>
          )}
        </>
      )}
    </aside>
  );
}
