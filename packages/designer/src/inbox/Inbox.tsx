import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, reloadOnLive, type HandoffView, type Me, type TeamShape } from '../api.ts';
import { HandoffRecord } from './HandoffRecord.tsx';
import { InboundSecret } from './InboundSecret.tsx';
import { slaState } from './sla.ts';
import type { TimelineEvent } from './lifecycle.ts';

type Tab = 'mine' | 'queue' | 'all' | 'team';

/** How many open handoffs the inbox reads at most: the API's largest page (and its default). */
const PAGE = 1000;

type Page = { handoffs: HandoffView[]; next: string | null };
type RepLoad = { rep: string; open: number; late: number };

/**
 * The open handoffs the inbox shows: the first page, soonest due first. When more are open, the work
 * waiting unassigned, which has no due and so comes last, is read apart, so it never falls off the page.
 */
async function pageOfOpen(): Promise<{ handoffs: HandoffView[]; more: { open: boolean; waiting: boolean } }> {
  const open = await api<Page>('GET', '/handoffs?status=open');
  if (open.next === null) return { handoffs: open.handoffs, more: { open: false, waiting: false } };
  const waiting = await api<Page>('GET', '/handoffs?status=open&unassigned=true');
  const ids = new Set(open.handoffs.map((h) => h.id));
  return {
    handoffs: [...open.handoffs, ...waiting.handoffs.filter((h) => !ids.has(h.id))],
    more: { open: true, waiting: waiting.next !== null },
  };
}

/** A clock that ticks every second, for the countdowns. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/**
 * The reps' inbox: open handoffs sorted by SLA due with a live countdown, the full record of the one
 * selected, the queue's unassigned work, and for admins the team's load with reassign. Live over SSE.
 */
export function Inbox({ me }: { me: Me }) {
  const [tab, setTab] = useState<Tab>(me.role === 'rep' ? 'mine' : 'all');
  const [handoffs, setHandoffs] = useState<HandoffView[]>([]);
  /**
   * Whether more handoffs are open than the page shown (the API gives the soonest due, a page at a time),
   * and whether more wait unassigned than their own page (read apart then: they have no due, so they come last).
   */
  const [more, setMore] = useState({ open: false, waiting: false });
  const [repLoads, setRepLoads] = useState<Map<string, RepLoad> | null>(null);
  const [team, setTeam] = useState<TeamShape | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  /** What the rep's last action did, when it closed the handoff (which then leaves the list). */
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();

  // The contact's timeline as it is now, for the handoff's life cycle (created, assigned, rejected, …).
  const [timeline, setTimeline] = useState<{ contact: string; events: TimelineEvent[] } | null>(null);
  const loadTimeline = useCallback((contactId: string) => {
    api<{ timeline: TimelineEvent[] }>('GET', `/contacts/${encodeURIComponent(contactId)}`).then(
      (c) => setTimeline({ contact: contactId, events: c.timeline }),
      () => setTimeline(null),
    );
  }, []);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const tabRef = useRef(tab);
  tabRef.current = tab;
  // Each read numbered: an answer that comes after a later read's is dropped, not shown over it.
  const asked = useRef({ list: 0, loads: 0 });
  // The Team tab's loads as the store counts them, whole however many are open (read while it shows).
  const loadRepLoads = useCallback(() => {
    const n = ++asked.current.loads;
    void api<{ reps: RepLoad[] }>('GET', '/reps/loads').then(
      (r) => n === asked.current.loads && setRepLoads(new Map(r.reps.map((l) => [l.rep, l]))),
      () => n === asked.current.loads && setRepLoads(null),
    );
  }, []);
  useEffect(() => {
    // Read afresh each time the tab shows: counts from an earlier visit are not shown as now.
    if (tab === 'team') loadRepLoads();
    else setRepLoads(null);
  }, [tab, loadRepLoads]);
  // The list first, then the selected handoff's timeline only while it is still in the list: a handoff
  // that left this rep's hands (rejected, given to a colleague) is no longer theirs to read.
  const load = useCallback(() => {
    if (tabRef.current === 'team') loadRepLoads();
    const n = ++asked.current.list;
    return pageOfOpen().then(
      (r) => {
        if (n !== asked.current.list) return;
        setHandoffs(r.handoffs);
        setMore(r.more);
        const still = r.handoffs.find((h) => h.id === selectedRef.current);
        if (still) loadTimeline(still.contactId);
      },
      (e: Error) => setError(e.message),
    );
  }, [loadTimeline, loadRepLoads]);
  useEffect(() => {
    void load();
    void api<TeamShape>('GET', '/team').then(setTeam, () => undefined);
    return reloadOnLive(['handoff'], () => void load(), 250);
  }, [load]);

  const shown = useMemo(() => {
    if (tab === 'mine') return handoffs.filter((h) => h.assignee === (me.rep ?? null));
    if (tab === 'queue') return handoffs.filter((h) => h.assignee === null);
    return handoffs;
  }, [handoffs, tab, me.rep]);
  const current = handoffs.find((h) => h.id === selected) ?? null;
  const contactId = current?.contactId ?? null;
  useEffect(() => {
    if (contactId) loadTimeline(contactId);
  }, [contactId, loadTimeline]);

  // Each rep's open and late handoffs: counted from the list while it holds every open one (so "late"
  // ticks with the countdowns), else as the server counted them at the last load.
  const loads = useMemo(() => {
    const byRep = new Map<string, { open: number; late: number }>();
    if (more.open && repLoads !== null) return repLoads;
    for (const h of handoffs) {
      if (!h.assignee) continue;
      const l = byRep.get(h.assignee) ?? { open: 0, late: 0 };
      l.open++;
      if (slaState(h.dueAt, h.breached, h.acceptedAt !== null, now).level === 'late') l.late++; // (the server's isLate)
      byRep.set(h.assignee, l);
    }
    return byRep;
  }, [handoffs, now, more.open, repLoads]);

  // Counted over the pages shown: "+" when more are open than they hold.
  const count = (n: number, cut: boolean) => `${n.toLocaleString('en')}${cut ? '+' : ''}`;
  const tabs: [Tab, string][] = [
    ...(me.role === 'rep'
      ? ([['mine', `My handoffs (${count(handoffs.filter((h) => h.assignee === me.rep).length, more.open)})`]] as [
          Tab,
          string,
        ][])
      : []),
    ['queue', `Unassigned (${count(handoffs.filter((h) => h.assignee === null).length, more.waiting)})`],
    ...(me.role !== 'rep' ? ([['all', `All open (${count(handoffs.length, more.open)})`]] as [Tab, string][]) : []),
    ...(me.role === 'admin' ? ([['team', 'Team']] as [Tab, string][]) : []),
  ];

  return (
    <main className="inbox">
      <section className="inbox-list" aria-label="handoffs">
        <div className="tabs">
          {tabs.map(([t, label]) => (
            <button type="button" key={t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>
              {label}
            </button>
          ))}
        </div>
        {error && <p className="error-banner">{error}</p>}
        {more.open && (
          <p className="muted small page-note" data-testid="inbox-more">
            The {PAGE.toLocaleString('en')} soonest due are shown, with the unassigned work
            {tab === 'team' && repLoads === null ? ', and counted below until the whole count comes' : ''}; more are
            open. Work these and the next come in.
          </p>
        )}
        {tab === 'team' ? (
          <>
            <table className="loads">
              <thead>
                <tr>
                  <th>Rep</th>
                  <th>Open</th>
                  <th>Capacity</th>
                  <th>Late</th>
                </tr>
              </thead>
              <tbody>
                {(team?.reps ?? []).map((r) => {
                  const l = loads.get(r.id) ?? { open: 0, late: 0 };
                  const cap = (r as { capacity?: number }).capacity;
                  return (
                    <tr key={r.id}>
                      <td>
                        {r.name ?? r.id}
                        <div className="muted small">{r.id}</div>
                      </td>
                      <td>{l.open}</td>
                      <td>
                        {cap ?? '∞'}
                        {cap !== undefined && (
                          <div className="bar">
                            <span style={{ width: `${Math.min(100, (l.open / Math.max(1, cap)) * 100)}%` }} />
                          </div>
                        )}
                      </td>
                      <td className={l.late ? 'bad' : ''}>{l.late}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <InboundSecret />
          </>
        ) : shown.length === 0 ? (
          <p className="muted empty">Nothing here. New handoffs appear as they are created.</p>
        ) : (
          <ul className="handoff-list">
            {shown.map((h) => {
              const sla = slaState(h.dueAt, h.breached, h.acceptedAt !== null, now);
              return (
                <li
                  key={h.id}
                  className={`handoff-item ${selected === h.id ? 'selected' : ''}`}
                  data-testid="handoff-item"
                >
                  {/* A button, so a rep opens a handoff with the keyboard as with the mouse. */}
                  <button
                    type="button"
                    className="handoff-open"
                    aria-current={selected === h.id ? 'true' : undefined}
                    onClick={() => setSelected(h.id)}
                  >
                    <span className="handoff-top">
                      <span className={`prio ${h.priority}`}>{h.priority}</span>
                      <strong>{h.title}</strong>
                    </span>
                    <span className="handoff-meta">
                      <span>
                        {h.record} · {h.journey}
                      </span>
                      <span className={`sla ${sla.level}`}>{sla.text}</span>
                    </span>
                    <span className="handoff-who muted small">
                      {/* Whose handoff it is, whatever its title says (a title's field the contact lacks is empty). */}
                      <span className="handoff-contact">{h.contactId}</span>
                      {' · '}
                      {h.assignee
                        ? `with ${team?.reps.find((r) => r.id === h.assignee)?.name ?? h.assignee}`
                        : `waiting in ${h.queue ?? 'no queue'}`}
                      {h.rejectedBy.length > 0 ? ` · rejected ${h.rejectedBy.length}×` : ''}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section className="inbox-detail" aria-label="handoff">
        {notice && (
          <p className="flash ok notice" role="status" data-testid="inbox-notice">
            {notice}
            <button type="button" className="icon" aria-label="dismiss" onClick={() => setNotice(null)}>
              ✕
            </button>
          </p>
        )}
        {current ? (
          <HandoffRecord
            key={current.id}
            handoff={current}
            me={me}
            team={team}
            now={now}
            onChanged={(done) => {
              setNotice(done ?? null);
              void load();
            }}
            timeline={timeline?.contact === current.contactId ? timeline.events : null}
          />
        ) : (
          <p className="muted empty">
            Select a handoff to see the story so far: why it fired, the timeline, the talk track.
          </p>
        )}
      </section>
    </main>
  );
}
