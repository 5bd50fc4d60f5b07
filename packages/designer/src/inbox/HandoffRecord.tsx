import { useState } from 'react';
import { api, type HandoffView, type Me, type TeamShape } from '../api.ts';
import { slaState } from './sla.ts';
import { lifeCycle, type LifeStep, type TimelineEvent } from './lifecycle.ts';
import { shownValue } from './display.ts';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '–');

/** The life cycle from the record alone, when the contact's timeline is not at hand. */
function lifeFromRecord(h: HandoffView, name: (rep: string) => string): LifeStep[] {
  const steps: LifeStep[] = [{ at: h.createdAt, kind: 'created', text: `Created as a ${h.record}` }];
  for (const r of h.rejectedBy)
    steps.push({
      at: r.at,
      kind: 'rejected',
      text: `Rejected by ${name(r.rep)}${r.reason ? `: “${r.reason}”` : ' (no reason given)'}`,
    });
  if (h.assignee && h.assignedAt)
    steps.push({ at: h.assignedAt, kind: 'assigned', text: `Assigned to ${name(h.assignee)}` });
  if (h.acceptedAt)
    steps.push({
      at: h.acceptedAt,
      kind: 'accepted',
      text: `Accepted by ${h.assignee ? name(h.assignee) : 'the rep'}`,
    });
  if (h.escalatedTo)
    steps.push({ at: h.dueAt ?? h.createdAt, kind: 'escalated', text: `Escalated to ${name(h.escalatedTo)}` });
  if (h.closedAt)
    steps.push({ at: h.closedAt, kind: 'closed', text: `Closed: ${(h.outcome ?? 'no outcome').replace(/_/g, ' ')}` });
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The full record a rep works: who, why it fired, the SLA, the story so far, and the actions. */
export function HandoffRecord({
  handoff: h,
  me,
  team,
  now,
  onChanged,
  act: perform,
  timeline,
}: {
  handoff: HandoffView;
  me: Me;
  team: TeamShape | null;
  now: number;
  /** After an action; with what to confirm to the rep when the action closes the handoff (it leaves the list). */
  onChanged: (done?: string) => void;
  /** The contact's timeline as it is now: the handoff's life cycle is read from it. */
  timeline?: readonly TimelineEvent[] | null;
  /** Acts somewhere else than the API (the designer's simulation acts on its virtual world). */
  act?: (path: string, body?: unknown) => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const act = async (path: string, body?: unknown, done?: string) => {
    try {
      setError(null);
      await (perform ? perform(path, body) : api('POST', `/handoffs/${h.id}/${path}`, body));
      // What was typed for this action is spent: the record may stay open for the next person (a rejection
      // routes it on), who must not find the last reason or value ready to send again.
      setReason('');
      setValue('');
      setRejecting(false);
      onChanged(done);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const sla = slaState(h.dueAt, h.breached, h.acceptedAt !== null, now);
  const names = new Map((team?.reps ?? []).map((r) => [r.id, r.name ?? r.id]));
  const name = (rep: string) => names.get(rep) ?? rep;
  const life = timeline ? lifeCycle(timeline, h.id, name) : lifeFromRecord(h, name);
  const mine = me.role === 'admin' || h.assignee === me.rep;
  const canAct = me.role !== 'marketer';
  return (
    <article className="record">
      <header>
        <div className="muted small">
          {h.record} for {h.team} · {h.journey} / {h.node}
        </div>
        <h2>{h.title}</h2>
        <div className="record-status">
          <span className={`prio ${h.priority}`}>{h.priority}</span>
          <span className={`sla ${sla.level}`} data-testid="sla">
            {sla.text}
          </span>
          <span>{h.assignee ? `assigned to ${name(h.assignee)}` : `waiting in ${h.queue ?? 'no queue'}`}</span>
          <span className="muted">SLA due {when(h.dueAt)}</span>
        </div>
      </header>
      {error && <p className="error-banner">{error}</p>}
      {h.rejectedBy.length > 0 && (
        <div className="rejections" data-testid="rejections">
          <strong>Rejected before you</strong>
          <ul>
            {h.rejectedBy.map((r, i) => (
              <li key={i}>
                {name(r.rep)}, {when(r.at)}:{' '}
                {r.reason ? `“${r.reason}”` : <span className="muted">no reason given</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {h.status === 'closed' && (
        <p className="closed-note" data-testid="closed">
          Closed{h.outcome ? `: ${h.outcome.replace(/_/g, ' ')}` : ''}
          {h.value !== null ? ` · ${h.value.toLocaleString()}` : ''}
        </p>
      )}
      {canAct && h.status !== 'closed' && (
        <div className="record-actions">
          {h.assignee === null && me.role === 'rep' && (
            <button type="button" className="primary" onClick={() => void act('claim')}>
              Take it
            </button>
          )}
          {h.assignee !== null && mine && h.acceptedAt === null && (
            <button type="button" className="primary" onClick={() => void act('accept')}>
              Accept
            </button>
          )}
          {h.assignee !== null && mine && (
            <>
              <span className="muted small">Log the outcome:</span>
              <input
                className="value"
                aria-label="value"
                type="number"
                inputMode="decimal"
                min={0}
                step="any"
                placeholder="value (optional)"
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
              {h.outcomes.map((o) => (
                <button
                  type="button"
                  key={o}
                  onClick={() => {
                    const amount = value.trim() ? Number(value) : null;
                    if (amount !== null && !(Number.isFinite(amount) && amount >= 0))
                      return setError(`The value must be a number of 0 or more, not "${value}".`);
                    void act(
                      'outcome',
                      { outcome: o, ...(amount !== null ? { value: amount } : {}) },
                      `Logged “${o.replace(/_/g, ' ')}”${amount !== null ? ` (value ${amount.toLocaleString()})` : ''} for ${h.title}: the handoff is closed.`,
                    );
                  }}
                >
                  {o.replace(/_/g, ' ')}
                </button>
              ))}
              {!rejecting ? (
                <button type="button" className="danger" onClick={() => setRejecting(true)}>
                  Reject…
                </button>
              ) : (
                <span className="reject">
                  <input
                    aria-label="reason"
                    placeholder="why (the next rep sees it)"
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                  />
                  <button type="button" className="danger" onClick={() => void act('reject', { reason })}>
                    Reject
                  </button>
                </span>
              )}
            </>
          )}
          {me.role === 'admin' && !perform && (
            <select
              aria-label="reassign"
              value=""
              onChange={(e) => e.target.value && void act('reassign', { rep: e.target.value })}
            >
              <option value="">Reassign to…</option>
              {(team?.reps ?? [])
                .filter((r) => r.id !== h.assignee)
                .map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name ?? r.id}
                  </option>
                ))}
            </select>
          )}
        </div>
      )}
      <div className="record-grid">
        <section>
          <h3>Why it fired</h3>
          <ul className="why">
            {h.why.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
          {h.context.talkTrack && (
            <>
              <h3>Talk track</h3>
              <p className="talk">{h.context.talkTrack}</p>
            </>
          )}
          {h.context.nextBestActions.length > 0 && (
            <>
              <h3>Next best actions</h3>
              <ol>
                {h.context.nextBestActions.map((a, i) => (
                  <li key={i}>{a}</li>
                ))}
              </ol>
            </>
          )}
          <h3>Contact</h3>
          <dl className="traits">
            <dt>id</dt>
            <dd>{h.contactId}</dd>
            {Object.entries(h.context.traits).flatMap(([k, v]) => [
              <dt key={`k${k}`}>{k}</dt>,
              <dd key={`v${k}`}>{shownValue(v)}</dd>,
            ])}
            {Object.entries(h.context.scores).flatMap(([k, v]) => [
              <dt key={`s${k}`}>score.{k}</dt>,
              <dd key={`sv${k}`}>{v}</dd>,
            ])}
          </dl>
        </section>
        <section>
          <h3>Life cycle</h3>
          <ol className="lifecycle" data-testid="lifecycle">
            {life.map((l, i) => (
              <li key={i} className={l.kind}>
                <span className="muted small">{when(l.at)}</span> {l.text}
              </li>
            ))}
          </ol>
          <h3>Timeline</h3>
          <ul className="timeline">
            {[...h.context.timeline].reverse().map((e, i) => (
              <li key={i}>
                <span className="muted small">{when(e.at)}</span> <strong>{e.name}</strong>{' '}
                {Object.keys(e.properties).length > 0 && (
                  <span className="muted small">{shownValue(e.properties)}</span>
                )}
              </li>
            ))}
          </ul>
          <h3>Path</h3>
          <p className="path">{h.context.path.join(' → ')}</p>
          {h.context.messages.length > 0 && (
            <>
              <h3>Messages</h3>
              <ul className="timeline">
                {h.context.messages.map((m, i) => (
                  <li key={i}>
                    {m.action} at {m.node} · {when(m.at)}
                    {m.suppressed ? ' (held back: a human was engaged)' : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Routing</h3>
          <ul className="trace">
            {h.trace.map((t, i) => (
              <li key={i}>{t}</li>
            ))}
          </ul>
        </section>
      </div>
    </article>
  );
}
