/** How an SLA due time reads to a rep right now: "due in 2h 14m", "overdue by 5m", and how urgent it is. */
export function slaState(
  dueAt: string | null,
  breached: boolean,
  accepted: boolean,
  now: number,
): { text: string; level: 'none' | 'ok' | 'soon' | 'late' } {
  if (accepted) return { text: 'accepted', level: 'ok' };
  if (dueAt === null) return { text: breached ? 'SLA breached' : 'no SLA clock', level: breached ? 'late' : 'none' };
  const left = Date.parse(dueAt) - now;
  const words = duration(Math.abs(left));
  if (left < 0 || breached) return { text: left < 0 ? `overdue by ${words}` : 'SLA breached', level: 'late' };
  return { text: `due in ${words}`, level: left < 3_600_000 ? 'soon' : 'ok' };
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s % 60}s`;
}
