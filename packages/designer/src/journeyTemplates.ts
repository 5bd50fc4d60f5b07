import { layoutJourney } from './model/index.ts';
import type { DraftJourney } from './model/draft.ts';

/**
 * The example journeys (examples/NAME/journey.json) offered as templates for a new journey. Vite bundles
 * each as its own small chunk, loaded when the new-journey dialog opens: the designer needs no API for
 * them, and they are the very files the server seeds a first start with.
 */
const EXAMPLES = import.meta.glob<DraftJourney>('../../../examples/*/journey.json', { import: 'default' });

export interface JourneyTemplate {
  /** The example's folder name. */
  key: string;
  journey: DraftJourney;
  /** What it does, in a line: its trigger, its steps and whether it hands off. */
  summary: string;
}

function summaryOf(j: DraftJourney): string {
  const handoffs = j.nodes.filter((n) => n.type === 'handoff').length;
  return [
    j.trigger?.event ? `starts on “${j.trigger.event}”` : null,
    `${j.nodes.length} steps`,
    handoffs === 1 ? 'hands off to a rep' : handoffs > 1 ? `${handoffs} handoffs to reps` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The templates, by name. */
export async function loadTemplates(): Promise<JourneyTemplate[]> {
  const loaded = await Promise.all(
    Object.entries(EXAMPLES).map(async ([path, load]) => {
      const journey = await load();
      return { key: path.split('/').at(-2)!, journey, summary: summaryOf(journey) };
    }),
  );
  return loaded.sort((a, b) => (a.journey.name ?? a.key).localeCompare(b.journey.name ?? b.key));
}

/** A copy of a template under a new id and name, laid out when the example has no positions. */
export function fromTemplate(template: DraftJourney, id: string, name: string): DraftJourney {
  const copy = structuredClone(template);
  const journey: DraftJourney = { ...copy, id, name };
  return journey.ui?.positions ? journey : { ...journey, ui: { ...journey.ui, positions: layoutJourney(journey) } };
}
