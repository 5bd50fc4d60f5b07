// The layout worker: ELK's layered layout off the page's thread, so a large journey never freezes the canvas.
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutWithElk } from '../model/elkLayout.ts';
import type { DraftJourney } from '../model/index.ts';

export interface LayoutRequest {
  id: number;
  journey: DraftJourney;
  sizes: [string, { width: number; height: number }][];
}

const elk = new ELK();
// elk.bundled.js answers messages itself when it finds itself in a worker; this worker speaks its own protocol.
self.onmessage = (e: MessageEvent<LayoutRequest>) => {
  const { id, journey, sizes } = e.data;
  layoutWithElk(journey, elk, new Map(sizes)).then(
    (positions) => self.postMessage({ id, positions }),
    (error: Error) => self.postMessage({ id, error: error.message }),
  );
};
