// pnpm bench: engine events per second in memory against raw XState and a hand-written interpreter,
// and bytes per waiting contact. Run with --expose-gc for the memory figures.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { createActor, initialTransition, transition, type AnyActorScope, type AnyMachineSnapshot } from 'xstate';
import {
  Journey,
  JourneyCatalog,
  MemoryStore,
  Runtime,
  VirtualClock,
  Workspace,
  compileJourney,
  newContactState,
  newDesk,
  scoreReader,
  withEvent,
  type EvalEnv,
  type HistoryEvent,
  type Timeline,
} from '../src/internal.ts';
import { HandInterpreter } from './interpreter.ts';
import { benchEvents, benchJourney, benchWorkspace } from './journey.ts';

/**
 * BENCH_PROFILE=dir: a CPU profile of each timed loop of the runtime (not of the setup before it),
 * written to dir/<label>.cpuprofile.
 */
const PROFILE_DIR = process.env.BENCH_PROFILE;
async function profiled<T>(label: string, run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return run();
  const { Session } = await import('node:inspector/promises');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(`${PROFILE_DIR}/${label}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const PER_CONTACT = Number(process.env.BENCH_EVENTS_PER_CONTACT ?? 6);
const T0 = Date.parse('2026-11-23T09:00:00Z');
const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const IDLE = Number(process.env.BENCH_IDLE_SHARE ?? 0);
const events = benchEvents(CONTACTS, PER_CONTACT, IDLE);
const workspace = Workspace.parse(benchWorkspace);
const compiled = compileJourney(Journey.parse(benchJourney));
/** When a timed loop started: the wall clock and the process's CPU time (user and system, every thread). */
const started = () => ({ wall: performance.now(), cpu: process.cpuUsage() });
/** Events per second: `wall` by the clock; `cpu` per second of CPU the process used (the collector's
 * threads included), which other processes on a shared machine disturb far less than the clock. */
interface Rate {
  wall: number;
  cpu: number;
}
const line = (label: string, n: number, from: ReturnType<typeof started>): Rate => {
  const ms = performance.now() - from.wall;
  const used = process.cpuUsage(from.cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const rate = { wall: Math.round((n / ms) * 1000), cpu: Math.round((n / cpuMs) * 1000) };
  console.log(
    `${label.padEnd(44)} ${String(rate.wall).padStart(10)} events/s  (${n} events in ${Math.round(ms)} ms; ${rate.cpu} per CPU second)`,
  );
  return rate;
};
/** Every collection of this process, as Node reports them (a `gc` entry is delivered a turn of the loop later). */
const collections: PerformanceEntry[] = [];
new PerformanceObserver((list) => collections.push(...list.getEntries())).observe({ entryTypes: ['gc'] });

/**
 * What the collector did inside a timed loop that began at `from`, and how large the old generation was
 * when it began: V8 walks every page of it at every scavenge, so the same work costs more over a larger
 * heap (docs/BENCHMARKS.md, twelfth pass).
 */
async function collectorLine(from: ReturnType<typeof started>, oldSpaceMb: number): Promise<void> {
  const end = performance.now();
  for (let i = 0; i < 3; i++) await new Promise((done) => setImmediate(done));
  const inLoop = collections.filter((e) => e.startTime >= from.wall && e.startTime <= end);
  const minor = inLoop.filter(
    (e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR,
  );
  const ms = (list: PerformanceEntry[]) => list.reduce((sum, e) => sum + e.duration, 0);
  const mean = minor.length > 0 ? ms(minor) / minor.length : 0;
  console.log(
    `${'  the collector in that loop'.padEnd(44)} ${minor.length} scavenges (${mean.toFixed(1)} ms each, ${Math.round(ms(minor))} ms), ${inLoop.length - minor.length} other collections (${Math.round(ms(inLoop) - ms(minor))} ms); old space ${oldSpaceMb} MB at its start`,
  );
}

/** The old generation's size now, in MB (its pages, used or not: what a scavenge walks). */
const oldSpaceMb = () =>
  Math.round((getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_size ?? 0) / 2 ** 20);

const ratio = (a: Rate, b: Rate) => `${(a.wall / b.wall).toFixed(2)}× (per CPU second ${(a.cpu / b.cpu).toFixed(2)}×)`;

/** Contact data the baselines keep: traits and history, like the engine does. */
function makeEnv(
  id: string,
  traits: Record<string, unknown>,
  history: HistoryEvent[],
  event: { name: string; properties: Record<string, unknown> },
): EvalEnv {
  return {
    contactId: id,
    traits,
    history,
    now: T0,
    event,
    score: scoreReader(workspace, { contactId: id, traits, history, now: T0 }),
  };
}
const traitsOf = (i: number) => ({ employees: (i * 37) % 1000, company: `Company ${i}` });

/**
 * The runtime as `createEngine` makes it over its memory store: stepped at once (`immediate`, no promise per
 * read and commit). `awaited`: the commit path a server's store takes (read, step, commit, each awaited).
 */
const runtimeOver = (store: MemoryStore, catalog: JourneyCatalog, awaited = false) =>
  new Runtime({ store, clock: new VirtualClock(T0), catalog, workspace, ...(awaited ? {} : { immediate: store }) });

async function engine(awaited = false) {
  const catalog = new JourneyCatalog();
  catalog.publish(benchJourney);
  const store = new MemoryStore({ keepOutbox: false });
  const runtime = runtimeOver(store, catalog, awaited);
  for (let i = 0; i < CONTACTS; i++) await runtime.ingest({ type: 'identify', userId: `c${i}`, traits: traitsOf(i) });
  const before = heapUsed();
  const oldMb = oldSpaceMb();
  const start = started();
  await profiled(awaited ? 'engine-awaited' : 'engine', async () => {
    for (const e of events)
      await runtime.ingest({ type: 'track', userId: e.userId, event: e.event, properties: e.properties });
  });
  const rate = line(
    awaited
      ? 'Baton runtime, store awaited (the commit path of a server store)'
      : 'Baton runtime (validate, step, commit; memory store stepped at once, as createEngine)',
    events.length,
    start,
  );
  await collectorLine(start, oldMb);
  const after = heapUsed();
  // What a waiting contact costs: its instance (persisted snapshot, path) and its timer rows.
  let waiting = 0;
  let journeyBytes = 0;
  let contactBytes = 0;
  for (const s of await store.contacts()) {
    const inst = s.instances[0];
    if (inst?.status !== 'active') continue;
    waiting++;
    journeyBytes += JSON.stringify({ instance: inst, timers: s.timers }).length;
    contactBytes += JSON.stringify(s).length;
  }
  return {
    rate,
    waiting,
    journeyBytes: journeyBytes / waiting,
    contactBytes: contactBytes / waiting,
    heapPerContact: (after - before) / CONTACTS,
  };
}

/** What both baselines keep per contact, as the engine does: traits and a timeline, and the env to evaluate. */
function contactData() {
  const traits = new Map<string, Record<string, unknown>>();
  const history = new Map<string, HistoryEvent[]>();
  return {
    see(e: { userId: string; event: string; properties: Record<string, unknown> }) {
      const t = traits.get(e.userId) ?? traits.set(e.userId, traitsOf(Number(e.userId.slice(1)))).get(e.userId)!;
      const h = history.get(e.userId) ?? history.set(e.userId, []).get(e.userId)!;
      h.push({ name: e.event, at: T0, properties: e.properties });
      return { traits: t, env: makeEnv(e.userId, t, h, { name: e.event, properties: e.properties }) };
    },
  };
}

function rawXState() {
  const [initial] = initialTransition(compiled.machine);
  const snaps = new Map<string, AnyMachineSnapshot>();
  const contacts = contactData();
  const start = started();
  for (const e of events) {
    const { env } = contacts.see(e);
    let snap = snaps.get(e.userId);
    if (!snap) [snap] = transition(compiled.machine, initial, { type: 'baton.enter', env, journeyId: 'bench' });
    else [snap] = transition(compiled.machine, snap, { type: e.event, env, journeyId: 'bench' });
    snaps.set(e.userId, snap);
  }
  return line('raw XState transition() per event', events.length, start);
}

/** XState's own fastest pure path: one inert actor scope reused for every `machine.transition` call. */
function reusedScopeXState() {
  const [initial] = initialTransition(compiled.machine);
  const self = createActor(compiled.machine);
  const scope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    defer() {},
    emit() {},
    logger() {},
    stopChild() {},
    actionExecutor() {},
  } as unknown as AnyActorScope;
  const snaps = new Map<string, AnyMachineSnapshot>();
  const contacts = contactData();
  const start = started();
  for (const e of events) {
    const { env } = contacts.see(e);
    const snap = snaps.get(e.userId);
    const next = snap
      ? compiled.machine.transition(snap, { type: e.event, env, journeyId: 'bench' }, scope)
      : compiled.machine.transition(initial, { type: 'baton.enter', env, journeyId: 'bench' }, scope);
    snaps.set(e.userId, next as AnyMachineSnapshot);
  }
  return line('XState transition with a reused actor scope', events.length, start);
}

function handWritten() {
  const interp = new HandInterpreter(benchJourney as never);
  const at = new Map<string, string | null>();
  const contacts = contactData();
  const start = started();
  for (const e of events) {
    const { traits: t, env } = contacts.see(e);
    at.set(
      e.userId,
      at.has(e.userId) ? interp.onEvent(at.get(e.userId)!, e.event, env, t) : interp.run(benchJourney.start, env, t),
    );
  }
  return line('hand-written interpreter', events.length, start);
}

/**
 * Heap bytes a waiting contact's journey state costs: 100k contacts that entered the bench journey and
 * wait at its first pause, minus 100k contacts that sent the same kind of event but entered nothing.
 */
async function heapPerWaitingContact(): Promise<number> {
  const measure = async (event: string) => {
    const catalog = new JourneyCatalog();
    catalog.publish(benchJourney);
    const store = new MemoryStore({ keepOutbox: false });
    const runtime = runtimeOver(store, catalog);
    const before = heapUsed();
    for (let i = 0; i < CONTACTS; i++) await runtime.ingest({ type: 'track', userId: `c${i}`, event, properties: {} });
    const bytes = heapUsed() - before;
    return { bytes, store };
  };
  const idle = await measure('Signed In');
  const idleBytes = idle.bytes;
  idle.store = undefined as never;
  const waiting = await measure('Signed Up');
  return (waiting.bytes - idleBytes) / CONTACTS;
}

const LONG_CONTACTS = Number(process.env.BENCH_LONG_CONTACTS ?? 20_000);
const LONG_HISTORY = 990;

/** What long-lived contacts did before the bench: sessions (no rule reads them), or pricing page views (the score counts them). */
const PAST = {
  sessions: { name: 'Session Started', properties: { device: 'web' }, label: 'past events' },
  pricing: { name: 'Page Viewed', properties: { path: '/pricing' }, label: 'past pricing views (scored)' },
};

/**
 * Long-lived contacts: the same journey and events for 20k contacts that each already have `past` events
 * on their timeline (one a minute before the bench starts), opened from stored data as a restarted server
 * would. Set beside the same contacts with no past, in the same run.
 */
async function longLived(past: number, kind: keyof typeof PAST = 'sessions'): Promise<Rate> {
  const { name, properties, label } = PAST[kind];
  const contacts = Array.from({ length: LONG_CONTACTS }, (_, i) => {
    const state = newContactState(`c${i}`, T0, traitsOf(i));
    let timeline: Timeline = state.contact;
    for (let k = past; k > 0; k--) timeline = withEvent(timeline, { name, at: T0 - k * 60_000, properties });
    return { ...state, contact: { ...state.contact, ...timeline } };
  });
  const store = MemoryStore.fromSnapshot(
    { contacts, messages: [], desk: { version: 0, state: newDesk() }, outbox: [], seq: 0 },
    { keepOutbox: false },
  );
  const catalog = new JourneyCatalog();
  catalog.publish(benchJourney);
  const runtime = runtimeOver(store, catalog);
  const longEvents = benchEvents(LONG_CONTACTS, PER_CONTACT, IDLE);
  // Making 20M past events leaves garbage behind: collected now, not inside the timed loop.
  heapUsed();
  const oldMb = oldSpaceMb();
  const start = started();
  await profiled(`long-${past}-${kind}`, async () => {
    for (const e of longEvents)
      await runtime.ingest({ type: 'track', userId: e.userId, event: e.event, properties: e.properties });
  });
  const rate = line(`Baton runtime, ${LONG_CONTACTS} contacts with ${past} ${label}`, longEvents.length, start);
  await collectorLine(start, oldMb);
  return rate;
}

console.log(
  `bench journey: ${benchJourney.nodes.length} nodes; ${CONTACTS} contacts; ${events.length} events (${PER_CONTACT} per contact, ${Math.round(IDLE * 100)}% awaited by no node)`,
);
const only = process.env.BENCH_ONLY;
if (only === 'long') {
  // Long-lived contacts only (an A/B of the timeline's reads): new ones, then ones with past events.
  const fresh = await longLived(0);
  const long = await longLived(LONG_HISTORY);
  const scored = await longLived(LONG_HISTORY, 'pricing');
  console.log(`long-lived contacts (${LONG_HISTORY} past events) vs new ones: ${ratio(long, fresh)}`);
  console.log(`long-lived contacts (${LONG_HISTORY} past scored events) vs new ones: ${ratio(scored, fresh)}`);
  process.exit(0);
}
const none: Rate = { wall: NaN, cpu: NaN };
const xs = only === 'engine' ? none : rawXState();
const reused = only === 'engine' ? none : reusedScopeXState();
const hand = only === 'engine' ? none : handWritten();
// BENCH_AWAITED: `first` runs the awaited path before the other (an A/B in both orders), `0` leaves it out.
const awaitedFirst = process.env.BENCH_AWAITED === 'first' ? await engine(true) : undefined;
const result = await engine();
console.log(
  `Baton vs raw XState: ${ratio(result.rate, xs)}; vs XState with a reused scope: ${ratio(result.rate, reused)}; vs hand-written: ${ratio(result.rate, hand)}`,
);
if (process.env.BENCH_AWAITED !== '0') {
  const awaited = awaitedFirst ?? (await engine(true));
  console.log(
    `Baton, store awaited, vs hand-written: ${ratio(awaited.rate, hand)}; stepped at once vs awaited: ${ratio(result.rate, awaited.rate)}`,
  );
}
if (only !== 'engine') {
  const fresh = await longLived(0);
  const long = await longLived(LONG_HISTORY);
  const scored = await longLived(LONG_HISTORY, 'pricing');
  console.log(`long-lived contacts (${LONG_HISTORY} past events) vs new ones: ${ratio(long, fresh)}`);
  console.log(`long-lived contacts (${LONG_HISTORY} past scored events) vs new ones: ${ratio(scored, fresh)}`);
}
console.log(`waiting contacts: ${result.waiting}`);
console.log(`bytes per waiting contact, journey state (instance + timers, JSON): ${Math.round(result.journeyBytes)}`);
console.log(
  `bytes per waiting contact, whole record incl. traits and event history (JSON): ${Math.round(result.contactBytes)}`,
);
if (gc) {
  console.log(
    `heap growth per contact while the events ran (traits, history, journey state): ${Math.round(result.heapPerContact)} bytes`,
  );
  console.log(
    `heap bytes per waiting contact, journey state only (instance, snapshot, timer): ${Math.round(await heapPerWaitingContact())}`,
  );
}
