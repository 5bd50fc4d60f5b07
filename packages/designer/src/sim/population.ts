import { Population, type TraitDistribution, dictionary, plainMessage } from '@baton/engine/internal';
import { eachRecord, isRecord, type DraftJourney } from '../model/index.ts';

/** What the population form holds: text as the user typed it, blank meaning "derive it from the journey". */
export interface PopulationForm {
  traits: { field: string; text: string }[];
  events: { event: string; perWeek: string }[];
  reps: { acceptPercent: string; acceptHours: string; outcomeHours: string };
}

/** The contact traits a journey's conditions (and the workspace's score rules) read, for the form's rows. */
export function conditionTraits(journey: DraftJourney, workspace: unknown): string[] {
  const fields = new Set<string>();
  eachRecord(
    [
      journey.trigger,
      journey.nodes.map((n) => (n.type === 'handoff' ? n.route : n)),
      isRecord(workspace) ? workspace.scores : undefined,
    ],
    (v) => {
      if (typeof v.field === 'string' && /^contact\.[^.]+$/.test(v.field)) fields.add(v.field.slice('contact.'.length));
    },
  );
  return [...fields].sort();
}

/** A fresh form: one row per trait the conditions read and per event the journey listens to, all derived. */
export function newPopulationForm(traits: string[], events: string[]): PopulationForm {
  return {
    traits: traits.map((field) => ({ field, text: '' })),
    events: events.map((event) => ({ event, perWeek: '' })),
    reps: { acceptPercent: '90', acceptHours: '3', outcomeHours: '24' },
  };
}

const RANGE = /^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|\.\.)\s*(-?\d+(?:\.\d+)?)\s*$/;
const NORMAL = /^\s*~\s*(-?\d+(?:\.\d+)?)\s*±\s*(\d+(?:\.\d+)?)\s*$/;

/** A typed value: numbers and booleans as such, anything else as text. */
function scalar(text: string): string | number | boolean {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/**
 * Reads one trait's text: `100-5000` (uniform), `~900 ± 200` (normal), or `VP Sales:3, Engineer` (one of
 * the values, with optional weights).
 */
export function parseTrait(text: string): TraitDistribution | string {
  const range = RANGE.exec(text);
  if (range) return { uniform: { min: Number(range[1]), max: Number(range[2]) } };
  const normal = NORMAL.exec(text);
  if (normal) return { normal: { mean: Number(normal[1]), sd: Number(normal[2]) } };
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return 'give values (a, b:2), a range (100-5000) or ~mean ± spread';
  const oneOf = [];
  for (const part of parts) {
    const m = /^(.*?)\s*:\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (m && Number(m[2]) <= 0) return `the weight of "${m[1]}" must be above 0`;
    oneOf.push({ value: scalar(m ? m[1]! : part), weight: m ? Number(m[2]) : 1 });
  }
  return { oneOf };
}

/**
 * The engine's `Population` from the form, or the problems with it, each naming its row. Blank rows are
 * left to the engine, which derives them from the journey.
 */
export function populationModel(form: PopulationForm): { model: Population } | { problems: string[] } {
  const problems: string[] = [];
  const traits = dictionary<TraitDistribution>();
  for (const { field, text } of form.traits) {
    if (text.trim() === '') continue;
    const d = parseTrait(text);
    if (typeof d === 'string') problems.push(`${field}: ${d}`);
    else traits[field] = d;
  }
  const events = dictionary<{ perWeek: number }>();
  for (const { event, perWeek } of form.events) {
    if (perWeek.trim() === '') continue;
    events[event] = { perWeek: Number(perWeek) };
  }
  const percent = Number(form.reps.acceptPercent);
  const percentOk = percent >= 0 && percent <= 100;
  if (!percentOk) problems.push('accepted %: must be a number from 0 to 100');
  const reps = {
    acceptRate: percentOk ? percent / 100 : 0.9,
    acceptHours: Number(form.reps.acceptHours),
    outcomeHours: Number(form.reps.outcomeHours),
  };
  const parsed = Population.safeParse({ traits, events, reps });
  if (!parsed.success) {
    const label = (path: PropertyKey[]) =>
      path[0] === 'reps'
        ? ((
            { acceptRate: 'accepted %', acceptHours: 'hours to accept', outcomeHours: 'hours to outcome' } as Record<
              string,
              string
            >
          )[String(path[1])] ?? 'reps')
        : String(path[1] ?? path[0]);
    for (const issue of parsed.error.issues)
      problems.push(
        `${label(issue.path)}: ${issue.message === 'Invalid input: expected number, received NaN' ? 'must be a number' : plainMessage(issue)}`,
      );
  }
  return problems.length > 0 ? { problems } : { model: parsed.data! };
}
