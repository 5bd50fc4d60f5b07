import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BatonError,
  ContactSpool,
  JourneyInvalidError,
  InputInvalidError,
  dictionary,
  draftSummary,
  own,
  simulateEvents,
  simulateScript,
  type BacktestSummary,
  type ContactEntry,
  type SimulationReport,
} from '@baton/engine/internal';
import { defaultWorkers, runSyntheticInWorkers } from '../../simulation/threads.ts';
import { progressBar } from '../progress.ts';
import { CliError, EXIT, readJsonFile, type CliIO } from '../io.ts';
import { writeJson } from '../jsonStream.ts';
import type { Command } from '../command.ts';
import { handoffNodes } from '../handoffNodes.ts';
import { boundHeapGrowth, heapGrowth } from '../operating.ts';

/**
 * A report as written: its contacts as entries in the report's order, which a synthetic run reads back from
 * its spool one at a time (a million contacts are never all objects at once).
 */
type WrittenReport = Omit<SimulationReport, 'contacts'> & {
  contacts: Iterable<[string, ContactEntry]>;
  /** What a synthetic or recorded run adds (SPEC §8: "the report adds timing"). */
  timing?: object;
  /** A recorded run's journeys summed up as a backtest compares them (SPEC §10). */
  backtest?: Record<string, BacktestSummary>;
};

/** A report whose contacts are an object, as written (its members keep their order). */
const written = (
  report: SimulationReport & { timing?: object; backtest?: Record<string, BacktestSummary> },
): WrittenReport => ({
  ...report,
  contacts: Object.entries(report.contacts).values(),
});

/** The report in words, written a few hundred contacts at a time (a million contacts are never one string). */
function writeSummary(write: (text: string) => void, report: WrittenReport): void {
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) write(`${lines.join('\n')}\n`);
    lines = [];
  };
  for (const [contact, { journeys }] of report.contacts) {
    for (const [journey, j] of Object.entries(journeys)) {
      const end = j.status === 'exited' ? `exited (${j.outcome})` : j.status;
      lines.push(`${contact} · ${journey}: ${end}${j.runs ? ` after ${j.runs} runs` : ''}`);
      lines.push(`  path: ${j.path.join(' → ')}`);
      for (const m of j.messages)
        lines.push(`  ${m.action} at ${m.node} ${m.at}${m.suppressed ? ' (suppressed: a human is engaged)' : ''}`);
      for (const h of j.handoffs) {
        const who = h.assignee
          ? `with ${h.assignee}${h.queue ? ` (${h.queue})` : ''}`
          : `unassigned in ${h.queue ?? 'no queue'}`;
        const events = [
          h.dueAt ? `due ${h.dueAt}` : null,
          h.acceptedAt ? `accepted ${h.acceptedAt}` : null,
          h.breached ? `SLA breached${h.escalatedTo ? `, escalated to ${h.escalatedTo}` : ''}` : null,
          h.outcome ? `closed ${h.outcome} ${h.closedAt}` : 'open',
        ].filter(Boolean);
        lines.push(`  ${h.record} "${String(h.title)}" at ${h.node}: ${who}; ${events.join('; ')}`);
      }
    }
    if (lines.length >= 2000) flush();
  }
  const h = report.handoffs;
  lines.push(
    `handoffs: ${h.created} created, ${h.accepted} accepted, ${h.breached} breached, ${h.unassigned} unassigned`,
  );
  for (const r of report.refused) lines.push(`refused step ${r.step}: ${r.error}`);
  for (const [journey, b] of Object.entries(report.backtest ?? {})) {
    const outcomes = Object.entries(b.outcomes).map(([o, n]) => `${n} ${o}`);
    lines.push(
      `${journey}: ${b.entries} entered; outcomes: ${outcomes.length > 0 ? outcomes.join(', ') : 'none'}`,
      ...b.perRepDay.map((r) => `  ${r.day} ${r.rep}: ${r.handoffs} handoff${r.handoffs === 1 ? '' : 's'}`),
    );
  }
  flush();
}

/** Recorded Segment calls, one JSON a line (blank lines skipped), with the line each came from. */
async function readEvents(io: CliIO, path: string): Promise<{ calls: unknown[]; lines: number[] }> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      1,
      code === 'ENOENT' ? `events file not found: ${path}` : `cannot read events file ${path}: ${code ?? String(err)}`,
    );
  }
  const calls: unknown[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      calls.push(JSON.parse(line));
    } catch (err) {
      throw new CliError(1, `events file ${path} line ${i + 1} is not valid JSON: ${(err as Error).message}`);
    }
    lines.push(i + 1);
  });
  // Nothing to replay: a report of no one from 1970 would read as a result.
  if (calls.length === 0) throw new CliError(1, `events file ${path} holds no calls: one Segment call a line`);
  return { calls, lines };
}

/** `baton simulate JOURNEY.json... --team TEAM.json [--workspace WS.json] --script SCRIPT.json`: a run on a virtual clock. */
export const simulateCommand: Command = {
  name: 'simulate',
  usage:
    'baton simulate JOURNEY.json [JOURNEY2.json ...] --team TEAM.json [--workspace WS.json] (--script SCRIPT.json | --contacts N --seed S [--days D] [--population POPULATION.json] [--workers W] | --events EVENTS.ndjson [--reps REPS.json] --seed S) [--json] [--heap-growth 40]',
  summary: 'run journeys on a virtual clock and report what every contact went through',
  options: {
    team: { type: 'string' },
    workspace: { type: 'string' },
    script: { type: 'string' },
    contacts: { type: 'string' },
    seed: { type: 'string' },
    days: { type: 'string' },
    population: { type: 'string' },
    events: { type: 'string' },
    reps: { type: 'string' },
    'heap-growth': { type: 'string' },
    workers: { type: 'string' },
  },
  positionals: { min: 1, max: Infinity },
  async run(io: CliIO, args) {
    const { values } = args;
    const synthetic = values.contacts !== undefined;
    const backtest = typeof values.events === 'string';
    const modes = [typeof values.script === 'string', synthetic, backtest].filter(Boolean).length;
    if (modes > 1)
      throw new CliError(
        2,
        'give one of --script SCRIPT.json, --contacts N --seed S or --events EVENTS.ndjson --seed S',
      );
    if (modes === 0)
      throw new CliError(
        2,
        'simulate needs --script SCRIPT.json, --contacts N --seed S, or --events EVENTS.ndjson --seed S',
      );
    if (typeof values.reps === 'string' && !backtest)
      throw new CliError(
        2,
        '--reps describes how reps answered recorded handoffs: give it with --events EVENTS.ndjson',
      );
    if (backtest && values.seed === undefined)
      throw new CliError(2, '--events needs --seed S: reps answer at random, the same seed the same way');
    const whole = (name: string, v: unknown, min: number) => {
      const n = Number(v);
      if (typeof v !== 'string' || !/^-?\d+$/.test(v) || n < min)
        throw new CliError(
          2,
          `--${name} needs a whole number${min > 0 ? ` of at least ${min}` : ''}, got ${JSON.stringify(v ?? null)}`,
        );
      return n;
    };
    const contacts = synthetic ? whole('contacts', values.contacts, 1) : 0;
    // A population run holds its contacts in flight in the heap, which V8 would let grow to two to four times
    // what is live: at a million contacts 2 to 3.2 GB from one run to the next (docs/BENCHMARKS.md).
    const heapGrowthPercent = heapGrowth(values['heap-growth']);
    if (synthetic && values.seed === undefined)
      throw new CliError(2, '--contacts N needs --seed S: the same seed gives the same population');
    const seed = synthetic || backtest ? whole('seed', values.seed, -Infinity) : 0;
    if (values.days !== undefined && !synthetic)
      throw new CliError(
        2,
        '--days sets how long a synthetic population runs: give it with --contacts N --seed S (a script runs to its "until", recorded events to 30 days after the last)',
      );
    const days = synthetic && values.days !== undefined ? whole('days', values.days, 1) : undefined;
    if (values.workers !== undefined && !synthetic)
      throw new CliError(2, '--workers splits a synthetic population: give it with --contacts N --seed S');
    const workers = values.workers === undefined ? defaultWorkers(contacts) : Number(values.workers);
    if (typeof values.workers === 'string' && !(/^\d+$/.test(values.workers) && workers <= 64))
      throw new CliError(2, `--workers needs a whole number from 0 to 64, got ${JSON.stringify(values.workers)}`);
    if (typeof values.population === 'string' && !synthetic)
      throw new CliError(2, '--population describes synthetic contacts: give it with --contacts N --seed S');
    const journeys = [];
    for (const file of args.positionals) {
      const journey = await readJsonFile(io, file, 'journey');
      const [handoff] = handoffNodes(journey);
      if (handoff !== undefined && typeof values.team !== 'string')
        throw new CliError(
          2,
          `${file} hands off at node "${handoff}", so it needs a team (--team TEAM.json) with the reps and queues it routes to`,
        );
      journeys.push(journey);
    }
    const team = typeof values.team === 'string' ? await readJsonFile(io, values.team, 'team') : undefined;
    const workspace =
      typeof values.workspace === 'string' ? await readJsonFile(io, values.workspace, 'workspace') : undefined;
    const population =
      typeof values.population === 'string' ? await readJsonFile(io, values.population, 'population') : undefined;
    const recorded = backtest ? await readEvents(io, values.events as string) : undefined;
    const reps = typeof values.reps === 'string' ? await readJsonFile(io, values.reps, 'reps') : undefined;
    boundHeapGrowth(heapGrowthPercent);
    try {
      let report: WrittenReport;
      if (synthetic) {
        const started = performance.now();
        const bar = progressBar(io, 'simulating');
        const spool = new ContactSpool(contacts);
        const input = {
          journeys,
          team,
          workspace,
          contacts,
          seed,
          ...(days ? { days } : {}),
          ...(population === undefined ? {} : { population }),
          onProgress: bar.update,
        };
        const result = await runSyntheticInWorkers(
          input,
          workers,
          (i, journeys) => spool.add(i, journeys),
          (i, json) => spool.addJson(i, json),
        );
        bar.done();
        report = {
          contacts: spool.inIdOrder(),
          ...result,
          timing: { ...result.timing, wallMs: Math.round(performance.now() - started) },
        };
      } else if (recorded) {
        const started = performance.now();
        try {
          const result = await simulateEvents({
            journeys,
            team,
            workspace,
            events: recorded.calls,
            seed,
            ...(reps === undefined ? {} : { reps }),
          });
          // Each journey summed up as a backtest compares it (SPEC §10): entries, path counts, handoffs per
          // rep per day, breaches and outcomes.
          const backtest = dictionary<BacktestSummary>();
          for (const j of journeys) {
            const id = own(j as Record<string, unknown>, 'id');
            if (typeof id === 'string') backtest[id] = draftSummary(result, id);
          }
          report = written({
            ...result,
            backtest,
            timing: { ...result.timing, wallMs: Math.round(performance.now() - started) },
          });
        } catch (err) {
          if (!(err instanceof InputInvalidError) || !err.message.startsWith('events')) throw err;
          // Calls are named by the line of the file they came from.
          const errors = err.errors.map((e) => ({
            ...e,
            path: e.path.replace(
              /^\$\[(\d+)\]/,
              (_, i: string) => `${values.events as string}:${recorded.lines[Number(i)]}`,
            ),
          }));
          throw new InputInvalidError(errors, 'events');
        }
      } else {
        const script = await readJsonFile(io, values.script as string, 'script');
        report = written(await simulateScript({ journeys, team, workspace, script }));
      }
      if (values.json)
        await writeJson(io.stdout, report as unknown as Record<string, unknown>, 'contacts', io.stdoutDrained);
      else writeSummary(io.stdout, report);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof JourneyInvalidError || err instanceof InputInvalidError)
        throw new CliError(1, err.message, { valid: false, errors: err.errors });
      if (err instanceof BatonError) throw new CliError(1, err.message);
      throw err;
    }
  },
};
