/// <reference lib="webworker" />
// The simulation runs here, off the page's thread, so the canvas stays responsive: Baton's own engine
// on a memory store and a virtual clock. Nothing is sent and nothing reaches live data.
import {
  advanceTo,
  BatonError,
  dictionary,
  eventsOf,
  formatInstant,
  handoffRecordView,
  newContactState,
  own,
  parseInstant,
  runSynthetic,
  simulateEvents,
  simulationWorld,
  type ReportJourney,
  type SimulationWorld,
} from '@baton/engine/internal';
import type { BacktestResult, PopulationResult, SimRequest, SimResponse, TestContactState } from './protocol.ts';

let world: SimulationWorld | null = null;
let contactId = 'test-contact';
let journeyId = '';

const post = (message: SimResponse) => (self as unknown as Worker).postMessage(message);

async function contactState(): Promise<TestContactState> {
  const w = world!;
  const state = await w.store.load(contactId);
  const inst = state?.instances.find((i) => i.journeyId === journeyId) ?? null;
  const next = await w.store.nextDueAt();
  return {
    now: formatInstant(w.clock.now()),
    nextDue: next === null ? null : formatInstant(next),
    journey: inst && { status: inst.status, node: inst.node, path: inst.path, outcome: inst.outcome },
    handoffs: (state?.handoffs ?? []).filter((h) => h.journeyId === journeyId).map(handoffRecordView),
    timeline: (state ? eventsOf(state.contact) : []).map((e) => ({
      name: e.name,
      at: formatInstant(e.at),
      properties: e.properties,
    })),
    messages: (inst?.messages ?? []).map((m) => ({ ...m, at: formatInstant(m.at) })),
  };
}

async function repAction(action: 'accept' | 'reject' | 'outcome', outcome?: string, reason?: string) {
  const w = world!;
  const state = await w.store.load(contactId);
  const h = state?.handoffs.find((x) => x.journeyId === journeyId && x.status === 'open');
  if (!h) throw new BatonError('handoff_not_open', 'there is no open handoff for the test contact');
  const ref = { userId: contactId, journey: h.journeyId, node: h.node };
  if (action === 'accept') await w.runtime.accept(ref);
  else if (action === 'reject') await w.runtime.reject({ ...ref, reason });
  else await w.runtime.logOutcome({ ...ref, outcome: outcome! });
}

/**
 * A population run: the panel shows counts only, so each contact's report entry is counted as the contact
 * finishes and let go of (`runSynthetic`), never kept (issue #17).
 */
async function population(req: Extract<SimRequest, { type: 'population' }>): Promise<PopulationResult> {
  const started = performance.now();
  const id = (req.journeys[0] as { id: string }).id;
  const repDays = new RepDays();
  const report = await runSynthetic(
    {
      journeys: req.journeys,
      team: req.team,
      workspace: req.workspace,
      contacts: req.contacts,
      seed: req.seed,
      days: req.days,
      start: req.start,
      population: req.population,
      onProgress: (done, total) => {
        if (done === total || done % Math.max(1, Math.floor(total / 50)) === 0) post({ type: 'progress', done, total });
      },
    },
    (_, journeys) => repDays.add(own(journeys, id)),
  );
  return {
    nodes: report.nodes[id] ?? {},
    handoffs: report.handoffs,
    breachRate: report.handoffs.created === 0 ? null : report.handoffs.breached / report.handoffs.created,
    perRepDay: repDays.rows(req.team),
    contacts: report.timing.contacts,
    events: report.timing.events,
    ms: Math.round(performance.now() - started),
  };
}

/** Handoffs per rep per day (by assignment), counted run by run, beside each rep's capacity. */
class RepDays {
  private readonly counts = new Map<string, number>();

  add(run: ReportJourney | undefined): void {
    for (const h of run?.handoffs ?? []) {
      if (!h.assignee || !h.assignedAt) continue;
      const key = `${h.assignee}|${h.assignedAt.slice(0, 10)}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  rows(team: unknown): PopulationResult['perRepDay'] {
    const capacity = new Map(
      ((team as { reps?: { id: string; capacity?: number }[] })?.reps ?? []).map((r) => [r.id, r.capacity ?? null]),
    );
    return [...this.counts]
      .map(([k, n]) => {
        const [rep, day] = k.split('|') as [string, string];
        return { rep, day, handoffs: n, capacity: capacity.get(rep) ?? null };
      })
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.rep < b.rep ? -1 : 1));
  }
}

/** The draft over recorded events (issue #18's backtest), summed up as the live report counts. */
async function backtest(req: Extract<SimRequest, { type: 'backtest' }>): Promise<BacktestResult> {
  const started = performance.now();
  const report = await simulateEvents({
    journeys: req.journeys,
    team: req.team,
    workspace: req.workspace,
    events: req.events,
    seed: req.seed,
    start: req.start,
    until: req.until,
    contacts: req.contacts,
    ...(req.reps ? { reps: req.reps } : {}),
  });
  const id = (req.journeys[0] as { id: string }).id;
  const runs = Object.values(report.contacts).flatMap((c) => (c.journeys[id] ? [c.journeys[id]] : []));
  const repDays = new RepDays();
  for (const run of runs) repDays.add(run);
  const outcomes = dictionary<number>();
  for (const h of runs.flatMap((r) => r.handoffs)) if (h.outcome) outcomes[h.outcome] = (outcomes[h.outcome] ?? 0) + 1;
  return {
    nodes: report.nodes[id] ?? {},
    entries: runs.length,
    handoffs: report.handoffs,
    outcomes,
    converted: runs.filter((r) => r.handoffs.length > 0 && r.status === 'exited' && r.outcome === 'converted').length,
    perRepDay: repDays.rows(req.team),
    events: report.timing.events,
    ms: Math.round(performance.now() - started),
  };
}

self.onmessage = async (e: MessageEvent<SimRequest>) => {
  const req = e.data;
  try {
    if (req.type === 'population') {
      post({ type: 'population', result: await population(req) });
      return;
    }
    if (req.type === 'backtest') {
      post({ type: 'backtest', result: await backtest(req) });
      return;
    }
    if (req.type === 'start') {
      const start = parseInstant(req.start);
      world = simulationWorld({ journeys: req.journeys, team: req.team, workspace: req.workspace }, start);
      contactId = req.contact.id;
      journeyId = (req.journeys[0] as { id: string }).id;
      await world.store.commit({
        contactId,
        expectedVersion: 0,
        state: newContactState(contactId, start, req.contact.traits),
        effects: [],
      });
    } else if (!world) {
      throw new Error('start the test contact first');
    } else if (req.type === 'track') {
      await world.runtime.ingest({
        type: 'track',
        userId: contactId,
        event: req.event,
        properties: req.properties,
        timestamp: formatInstant(world.clock.now()),
      });
    } else if (req.type === 'identify') {
      await world.runtime.ingest({
        type: 'identify',
        userId: contactId,
        traits: req.traits,
        timestamp: formatInstant(world.clock.now()),
      });
    } else if (req.type === 'advance') {
      await advanceTo(world, world.clock.now() + req.ms);
    } else if (req.type === 'nextTimer') {
      const next = await world.store.nextDueAt();
      if (next !== null) await advanceTo(world, next);
    } else if (req.type === 'rep') {
      try {
        await repAction(req.action, req.outcome, req.reason);
      } catch (err) {
        if (!(err instanceof BatonError)) throw err;
        post({ type: 'contact', state: await contactState(), refused: err.message });
        return;
      }
    }
    post({ type: 'contact', state: await contactState() });
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
};
