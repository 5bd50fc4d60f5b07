import { useEffect, useMemo, useState } from 'react';
import { own } from '@baton/engine/internal';
import { api, ApiError } from '../api.ts';
import type { DraftJourney } from '../model/draft.ts';

/** The server's migration plan (SPEC §10): contacts per source → target node, who cannot move and why, and who stays. */
export interface MigrationPlan {
  version: number;
  moves: { fromVersion: number; from: string; to: string; contacts: number }[];
  blocked: { contactId: string; fromVersion: number; from: string; to: string; reason: string }[];
  unmapped: { fromVersion: number; from: string; contacts: number }[];
}

/** Whether any contact waits in an older version, so publishing should offer to move them. */
export const hasWaiting = (plan: MigrationPlan) => plan.moves.length + plan.blocked.length + plan.unmapped.length > 0;

/** One waiting node of the older versions, with its contacts and what the plan does with them. */
interface Row {
  from: string;
  waiting: number;
  moving: number;
  to: string | null;
  reasons: string[];
}

function rowsOf(plan: MigrationPlan): Row[] {
  const rows = new Map<string, Row>();
  const row = (from: string) => {
    const r = rows.get(from) ?? { from, waiting: 0, moving: 0, to: null, reasons: [] };
    rows.set(from, r);
    return r;
  };
  for (const m of plan.moves) {
    const r = row(m.from);
    r.to = m.to;
    r.moving += m.contacts;
    r.waiting += m.contacts;
  }
  for (const b of plan.blocked) {
    const r = row(b.from);
    r.waiting++;
    r.to = b.to;
    if (!r.reasons.includes(b.reason)) r.reasons.push(b.reason);
  }
  for (const u of plan.unmapped) row(u.from).waiting += u.contacts;
  return [...rows.values()].sort((a, b) => (a.from < b.from ? -1 : 1));
}

/**
 * The migration step of Publish: every node where contacts wait in older versions, with its count, where
 * they would go (by id unless a picker says otherwise), and the plan's counts before confirming.
 * Publishing without moving anyone stays possible.
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
  const [picks, setPicks] = useState<Record<string, string>>({});
  const [plan, setPlan] = useState(first);
  const [error, setError] = useState<string | null>(null);
  const waitingNodes = useMemo(
    () => journey.nodes.filter((n) => n.type === 'wait' || n.type === 'pause' || n.type === 'handoff'),
    [journey],
  );
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
  const rows = rowsOf(plan);
  const moving = rows.reduce((n, r) => n + r.moving, 0);
  return (
    <div className="modal-backdrop">
      <div className="modal migration" role="dialog" aria-modal="true" aria-labelledby="migration-title">
        <h2 id="migration-title">Move waiting contacts to version {plan.version}?</h2>
        <p className="muted">
          Contacts wait in older versions. Those you move keep when they arrived (a wait or a timeout counts from then),
          and a handoff keeps its rep and SLA.
        </p>
        <table className="journeys">
          <thead>
            <tr>
              <th>Waiting at</th>
              <th>Contacts</th>
              <th>Move to</th>
              <th>Plan</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.from} data-testid={`migration-row-${r.from}`}>
                <td>
                  <code>{r.from}</code>
                </td>
                <td>{r.waiting}</td>
                <td>
                  <select
                    aria-label={`move contacts waiting at ${r.from} to`}
                    value={own(picks, r.from) ?? ''}
                    onChange={(e) => setPicks({ ...picks, [r.from]: e.target.value })}
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
                <td className="small">
                  {r.moving > 0 && (
                    <div className="ok">
                      {r.moving} move to {r.to}
                    </div>
                  )}
                  {r.reasons.map((why) => (
                    <div key={why} className="bad">
                      {r.waiting - r.moving} cannot move: {why}
                    </div>
                  ))}
                  {r.moving === 0 && r.reasons.length === 0 && <div className="muted">stay on their version</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
            Publish and move {moving} contact{moving === 1 ? '' : 's'}
          </button>
        </div>
      </div>
    </div>
  );
}
