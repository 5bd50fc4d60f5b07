import { useEffect, useState } from 'react';
import type { HandoffReport } from '@baton/engine/internal';
import { api, reloadOnLive } from '../api.ts';
import type { SimOverlay } from '../sim/SimPanel.tsx';

const percent = (n: number, of: number) => (of === 0 ? '–' : `${Math.round((n / of) * 100)}%`);

/** The report's flow for one journey as a canvas overlay: contacts that entered each node, with who is there now. */
export function flowOverlay(report: HandoffReport, journeyId: string): SimOverlay {
  const flow = report.flow[journeyId] ?? {};
  return {
    current: null,
    path: [],
    counts: Object.fromEntries(Object.entries(flow).map(([node, c]) => [node, c.entered])),
    converted: Object.fromEntries(Object.entries(flow).map(([node, c]) => [node, c.converted])),
    details: Object.fromEntries(
      Object.entries(flow).map(([node, c]) => {
        // A handoff step also says how many of its handoffs converted (the report's per-step numbers).
        const handed = report.nodes[`${journeyId}/${node}`];
        const handoffs = handed
          ? ` · ${handed.converted} of ${handed.handoffs} handoffs converted (${percent(handed.converted, handed.handoffs)})`
          : '';
        // Every step says how many of those who came through it converted: on the first step of each of a
        // branch's paths, that path's conversion.
        const converted = ` · ${c.converted} converted (${percent(c.converted, c.entered)})`;
        return [node, `${c.entered} entered · ${c.current} here now · ${c.exited} moved on${converted}${handoffs}`];
      }),
    ),
  };
}

/**
 * Live numbers on the canvas: the report's per-node counts for the journey, reloaded (at most every two
 * seconds) as journey and handoff events arrive over SSE. Null while off.
 */
export function useLiveCounts(journeyId: string, on: boolean): { overlay: SimOverlay | null; error: string | null } {
  const [overlay, setOverlay] = useState<SimOverlay | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!on) {
      setOverlay(null);
      return;
    }
    const load = () => {
      api<HandoffReport>('GET', `/reports?journey=${encodeURIComponent(journeyId)}`).then(
        (r) => {
          setOverlay(flowOverlay(r, journeyId));
          setError(null);
        },
        (e: Error) => setError(e.message),
      );
    };
    load();
    return reloadOnLive(['journey', 'handoff'], load, 2000);
  }, [journeyId, on]);
  return { overlay, error };
}
