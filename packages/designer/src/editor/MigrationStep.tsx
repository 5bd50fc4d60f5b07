import { useModal } from '../useModal.ts';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { own } from '@baton/engine/internal';
import { api, ApiError } from '../api.ts';
import type { DraftJourney } from '../model/draft.ts';
import { MigrationCanvas, type MigrationMark } from './MigrationCanvas.tsx';
import './MigrationStep.css';

import { hasWaiting, type MigrationPlan } from './migrationPlan.ts';

export { hasWaiting, type MigrationPlan };

const WAITING_TYPES = new Set(['wait', 'pause', 'handoff']);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** A verb agreeing with a count: `verb(1, 'moves', 'move')`. */
const verb = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** One waiting node of the older versions (all of them: a map is keyed by node id), with what the plan does. */
interface Row {
  from: string;
  waiting: number;
  moving: number;
  to: string | null;
  reasons: string[];
}

function rowsOf(plan: MigrationPlan, version?: number): Row[] {
  const rows = new Map<string, Row>();
  const row = (from: string) => {
    const r = rows.get(from) ?? { from, waiting: 0, moving: 0, to: null, reasons: [] };
    rows.set(from, r);
    return r;
  };
  const shown = (v: number) => version === undefined || v === version;
  for (const m of plan.moves.filter((x) => shown(x.fromVersion))) {
    const r = row(m.from);
    r.to = m.to;
    r.moving += m.contacts;
    r.waiting += m.contacts;
  }
  for (const b of plan.blocked.filter((x) => shown(x.fromVersion))) {
    const r = row(b.from);
    r.waiting++;
    r.to = b.to;
    if (!r.reasons.includes(b.reason)) r.reasons.push(b.reason);
  }
  for (const u of plan.unmapped.filter((x) => shown(x.fromVersion))) row(u.from).waiting += u.contacts;
  return [...rows.values()].sort((a, b) => (a.from < b.from ? -1 : 1));
}

/** What a row's contacts do, in words: "2 move to later", "3 cannot move", "stay on their version". */
function fate(r: Row): string {
  const parts: string[] = [];
  if (r.moving > 0) parts.push(`${r.moving} ${verb(r.moving, 'moves', 'move')} to ${r.to}`);
  if (r.waiting > r.moving && r.reasons.length > 0) parts.push(`${r.waiting - r.moving} cannot move`);
  const staying = r.waiting - r.moving;
  if (staying > 0 && r.reasons.length === 0)
    parts.push(`${staying} ${verb(staying, 'stays', 'stay')} on their version`);
  return parts.join('; ');
}

/** The plan's refusals, one line per source, target and reason, with how many contacts each holds back. */
function refusals(plan: MigrationPlan) {
  const lines = new Map<string, { fromVersion: number; from: string; to: string; reason: string; contacts: number }>();
  for (const b of plan.blocked) {
    const key = JSON.stringify([b.fromVersion, b.from, b.to, b.reason]);
    const line = lines.get(key) ?? {
      fromVersion: b.fromVersion,
      from: b.from,
      to: b.to,
      reason: b.reason,
      contacts: 0,
    };
    line.contacts++;
    lines.set(key, line);
  }
  return [...lines.values()];
}

type OldVersion = { journey: DraftJourney } | { error: string };

/**
 * The migration step of Publish (issue #18): the old version and the draft side by side, read-only; each
 * node where contacts wait carries its count, and selecting one (on the canvas or in the list) rings where
 * its contacts go on the draft, by id unless its picker (or a click on the draft) says otherwise. The
 * plan's moves and refusals, with their reasons, are asked of the server on every pick and shown before
 * confirming. Publishing without moving anyone stays possible.
 */
export function MigrationStep({
  journey,
  first,
  onPublish,
  onCancel,
}: {
  journey: DraftJourney;
  first: MigrationPlan;
  onPublish: (migrate: Record<string, string> | undefined) => void;
  onCancel: () => void;
}) {
  const box = useModal<HTMLDivElement>(onCancel);
  // The first waiting step's "move to" has the focus as the dialog shows: where its contacts go is the
  // question the dialog asks (its row is the one selected at first).
  const firstPick = useRef<HTMLSelectElement>(null);
  useLayoutEffect(() => firstPick.current?.focus(), []);
  const [picks, setPicks] = useState<Record<string, string>>({});
  const [plan, setPlan] = useState(first);
  const [error, setError] = useState<string | null>(null);
  const waitingNodes = useMemo(() => journey.nodes.filter((n) => WAITING_TYPES.has(n.type)), [journey]);
  const migrate = useMemo(() => Object.fromEntries(Object.entries(picks).filter(([, to]) => to !== '')), [picks]);
  useEffect(() => {
    let live = true;
    api<MigrationPlan>('POST', `/journeys/${encodeURIComponent(journey.id)}/migration-plan`, { journey, migrate })
      .then((p) => {
        if (!live) return;
        setPlan(p);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live) setError(e instanceof ApiError ? e.message : String(e));
      });
    return () => {
      live = false;
    };
  }, [journey, migrate]);

  // The versions contacts wait in, newest first (the first plan's: picks move contacts, never add versions).
  const versions = useMemo(
    () =>
      [...new Set([...first.moves, ...first.blocked, ...first.unmapped].map((x) => x.fromVersion))].sort(
        (a, b) => b - a,
      ),
    [first],
  );
  const [shown, setShown] = useState(versions[0]!);
  const [olds, setOlds] = useState<ReadonlyMap<number, OldVersion>>(new Map());
  useEffect(() => {
    if (olds.has(shown)) return;
    let live = true;
    api<{ definition: DraftJourney }>('GET', `/journeys/${encodeURIComponent(journey.id)}/versions/${shown}`)
      .then((v) => live && setOlds((m) => new Map(m).set(shown, { journey: v.definition })))
      .catch(
        (e: unknown) =>
          live && setOlds((m) => new Map(m).set(shown, { error: e instanceof ApiError ? e.message : String(e) })),
      );
    return () => {
      live = false;
    };
  }, [journey.id, shown, olds]);
  const old = olds.get(shown);

  const rows = useMemo(() => rowsOf(plan), [plan]);
  const shownRows = useMemo(() => rowsOf(plan, shown), [plan, shown]);
  const [selected, setSelected] = useState<string | null>(rowsOf(first, versions[0])[0]?.from ?? null);
  const moving = rows.reduce((n, r) => n + r.moving, 0);
  const targetOf = (from: string) => {
    const picked = own(picks, from);
    if (picked) return picked;
    return rows.find((r) => r.from === from)?.to ?? (journey.nodes.some((n) => n.id === from) ? from : null);
  };
  // Another version on the left: its first waiting node is the one selected.
  const show = (v: number) => {
    setShown(v);
    setSelected(rowsOf(plan, v)[0]?.from ?? null);
  };
  const pick = (from: string, to: string) => setPicks({ ...picks, [from]: to === from ? '' : to });

  const oldMarks = useMemo(
    () =>
      new Map<string, MigrationMark>(
        shownRows.map((r) => [
          r.from,
          { count: r.waiting, detail: `${plural(r.waiting, 'contact')} waiting: ${fate(r)}` },
        ]),
      ),
    [shownRows],
  );
  const newMarks = useMemo(() => {
    const marks = new Map<string, MigrationMark>();
    for (const m of plan.moves) {
      const mark = marks.get(m.to) ?? { count: 0, detail: '' };
      mark.count += m.contacts;
      mark.detail = `${plural(mark.count, 'contact')} arrive here`;
      marks.set(m.to, mark);
    }
    return marks;
  }, [plan]);
  const refused = refusals(plan);

  return (
    <div className="modal-backdrop">
      <div className="modal migration" role="dialog" aria-modal="true" aria-labelledby="migration-title" ref={box}>
        <h2 id="migration-title">Move waiting contacts to version {plan.version}?</h2>
        <p className="muted">
          Contacts wait in older versions. Those you move keep when they arrived (a wait or a timeout counts from then),
          and a handoff keeps its rep and SLA. Select a waiting step on the left to see where its contacts go; click a
          step of the draft to send them there instead.
        </p>
        {versions.length > 1 && (
          <fieldset className="migration-versions">
            <legend>Version shown on the left</legend>
            {versions.map((v) => (
              <button key={v} type="button" aria-pressed={v === shown} onClick={() => show(v)}>
                Version {v} (
                {plural(
                  rowsOf(plan, v).reduce((n, r) => n + r.waiting, 0),
                  'contact',
                )}{' '}
                waiting)
              </button>
            ))}
          </fieldset>
        )}
        <div className="migration-sides">
          <section aria-labelledby="migration-old-title">
            <h3 id="migration-old-title">Version {shown}: where contacts wait</h3>
            {old === undefined && <p className="muted">Loading version {shown}…</p>}
            {old && 'error' in old && (
              <p className="error-banner" role="alert">
                Version {shown}: {old.error}
              </p>
            )}
            {old && 'journey' in old && (
              <MigrationCanvas
                id="migration-old"
                journey={old.journey}
                marks={oldMarks}
                focus={selected}
                onPick={(id) => oldMarks.has(id) && setSelected(id)}
              />
            )}
          </section>
          <section aria-labelledby="migration-new-title">
            <h3 id="migration-new-title">Version {plan.version} (this draft): where they go</h3>
            <MigrationCanvas
              id="migration-new"
              journey={journey}
              marks={newMarks}
              focus={selected === null ? null : targetOf(selected)}
              onPick={(id) =>
                selected !== null &&
                journey.nodes.some((n) => n.id === id && WAITING_TYPES.has(n.type)) &&
                pick(selected, id)
              }
            />
          </section>
        </div>
        <div className="migration-details">
          <table className="journeys">
            <caption>Waiting steps</caption>
            <thead>
              <tr>
                <th>Waiting at</th>
                <th>Contacts</th>
                <th>Move to</th>
                <th>Plan</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr
                  key={r.from}
                  data-testid={`migration-row-${r.from}`}
                  className={r.from === selected ? 'selected' : undefined}
                  onClick={() => setSelected(r.from)}
                >
                  <td>
                    <code>{r.from}</code>
                  </td>
                  <td>{r.waiting}</td>
                  <td>
                    <select
                      ref={i === 0 ? firstPick : undefined}
                      aria-label={`move contacts waiting at ${r.from} to`}
                      value={own(picks, r.from) ?? ''}
                      onFocus={() => setSelected(r.from)}
                      onChange={(e) => pick(r.from, e.target.value)}
                    >
                      <option value="">
                        {journey.nodes.some((n) => n.id === r.from) ? `${r.from} (same id)` : 'stay on their version'}
                      </option>
                      {waitingNodes
                        .filter((n) => n.id !== r.from)
                        .map((n) => (
                          <option key={n.id} value={n.id}>
                            {typeof n.label === 'string' && n.label ? `${n.label} (${n.id})` : n.id} · {String(n.type)}
                          </option>
                        ))}
                    </select>
                  </td>
                  <td className="small">{fate(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <section className="migration-plan" aria-labelledby="migration-plan-title" data-testid="migration-plan">
            <h3 id="migration-plan-title">The plan</h3>
            <ul>
              {plan.moves.map((m) => (
                <li key={`m ${m.fromVersion} ${m.from}`} className="ok">
                  {plural(m.contacts, 'contact')} {verb(m.contacts, 'moves', 'move')} from <code>{m.from}</code>{' '}
                  (version {m.fromVersion}) to <code>{m.to}</code>
                </li>
              ))}
              {refused.map((b) => (
                <li key={`b ${b.fromVersion} ${b.from} ${b.reason}`} className="bad">
                  {plural(b.contacts, 'contact')} at <code>{b.from}</code> (version {b.fromVersion}) cannot move to{' '}
                  <code>{b.to}</code>: {b.reason}
                </li>
              ))}
              {plan.unmapped.map((u) => (
                <li key={`u ${u.fromVersion} ${u.from}`} className="muted">
                  {plural(u.contacts, 'contact')} at <code>{u.from}</code> {verb(u.contacts, 'stays', 'stay')} on
                  version {u.fromVersion}
                </li>
              ))}
            </ul>
          </section>
        </div>
        {error && (
          <p className="error-banner" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" onClick={() => onPublish(undefined)}>
            Publish without moving
          </button>
          <button
            type="button"
            className="primary"
            disabled={error !== null || moving === 0}
            onClick={() => onPublish(migrate)}
          >
            Publish and move {plural(moving, 'contact')}
          </button>
        </div>
      </div>
    </div>
  );
}
