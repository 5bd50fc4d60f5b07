// pnpm bench: what the events on contacts' timelines cost in memory once a store has opened them (as
// `baton serve` with lowdb opens its snapshot: the JSON parsed, then `MemoryStore.fromSnapshot`), at 10,
// 100 and 1,000 events a contact (1,000 is the most a timeline keeps). The events look like a website's:
// page views (path, title, a URL with campaign parameters, sometimes a referrer) and email opens. The
// baseline of each size is the same contacts with no events, measured in the same run. Run with
// --expose-gc.
import { MemoryStore, newContactState, newDesk, withEvent, type Timeline } from '../src/internal.ts';
import { seededRandom } from '../src/sim/random.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 2000);
const SIZES = (process.env.BENCH_TIMELINE_SIZES ?? '10,100,1000').split(',').map(Number);
const T0 = Date.parse('2026-11-23T09:00:00Z');
const PAGES = Array.from({ length: 50 }, (_, i) => ({ path: `/docs/page-${i}`, title: `Guide ${i}: getting started` }));

/** The stored JSON of CONTACTS contacts with `events` events each. */
function snapshotText(events: number): string {
  const random = seededRandom(events + 1);
  const contacts = Array.from({ length: CONTACTS }, (_, i) => {
    const state = newContactState(`user-${i}@example.com`, T0, { company: `Company ${i}`, plan: 'trial' });
    let t: Timeline = state.contact;
    for (let k = events; k > 0; k--) {
      const at = T0 - k * 3_600_000;
      if (random() < 0.8) {
        const page = PAGES[Math.floor(random() * PAGES.length)]!;
        const utm = `utm_source=newsletter&utm_campaign=c${Math.floor(random() * 1000)}`;
        t = withEvent(t, {
          name: 'Page Viewed',
          at,
          properties: {
            ...page,
            url: `https://www.example.com${page.path}?${utm}`,
            ...(random() < 0.3 ? { referrer: 'https://www.google.com/' } : {}),
          },
        });
      } else
        t = withEvent(t, {
          name: 'Email Opened',
          at,
          properties: { campaign: `c${Math.floor(random() * 100)}`, subject: 'Your trial, week 2' },
        });
    }
    return { ...state, contact: { ...state.contact, ...t } };
  });
  return JSON.stringify({ contacts, messages: [], desk: { version: 0, state: newDesk() }, outbox: [], seq: 0 });
}

/** The heap a store holds once it opened `text` (collected before and after). */
function heapOf(text: string): { bytes: number; ms: number; store: MemoryStore } {
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  const store = MemoryStore.fromSnapshot(JSON.parse(text), { keepOutbox: false });
  const ms = performance.now() - started;
  gc!();
  gc!();
  return { bytes: process.memoryUsage().heapUsed - before, ms, store };
}

console.log(`Timelines in memory: ${CONTACTS} contacts opened from stored JSON, by events a contact`);
const empty = heapOf(snapshotText(0));
console.log(`  no events: ${Math.round(empty.bytes / CONTACTS)} bytes a contact (the baseline)`);
empty.store = undefined as never;
for (const events of SIZES) {
  const text = snapshotText(events);
  const { bytes, ms } = heapOf(text);
  const perEvent = (bytes - empty.bytes) / (CONTACTS * events);
  console.log(
    `  ${String(events).padStart(5)} events a contact: ${Math.round(bytes / CONTACTS).toLocaleString('en')} bytes a contact, ` +
      `${Math.round(perEvent)} bytes an event in the heap (${Math.round(text.length / (CONTACTS * events))} as JSON); ` +
      `opened in ${Math.round(ms)} ms; 100k such contacts would hold ${(((bytes / CONTACTS) * 100_000) / 2 ** 30).toFixed(2)} GB`,
  );
}
