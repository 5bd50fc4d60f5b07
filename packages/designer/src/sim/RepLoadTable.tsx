import type { TeamShape } from '../api.ts';
import type { PopulationResult } from './protocol.ts';

/**
 * Each rep's busiest day of handoffs beside their capacity, over capacity in red: the population and
 * backtest runs' load table. Reps by name (the id on hover); only reps the journey's handoffs went to.
 */
export function RepLoadTable({
  perRepDay,
  team = null,
}: {
  perRepDay: PopulationResult['perRepDay'];
  team?: TeamShape | null;
}) {
  const names = new Map((team?.reps ?? []).map((r) => [r.id, r.name || r.id]));
  return (
    <table className="loads small">
      <thead>
        <tr>
          <th>Rep</th>
          <th>Busiest day</th>
          <th>Max/day</th>
          <th>Capacity</th>
        </tr>
      </thead>
      <tbody>
        {[...new Set(perRepDay.map((r) => r.rep))].map((rep) => {
          const busiest = perRepDay.filter((r) => r.rep === rep).reduce((a, b) => (b.handoffs > a.handoffs ? b : a));
          const over = busiest.capacity !== null && busiest.handoffs > busiest.capacity;
          return (
            <tr key={rep}>
              <td title={names.has(rep) ? rep : undefined}>{names.get(rep) ?? rep}</td>
              <td>{busiest.day}</td>
              <td className={over ? 'bad' : ''}>{busiest.handoffs}</td>
              <td>{busiest.capacity ?? '∞'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
