import { compileJourney, type CompiledJourney } from './compileJourney.ts';
import { Journey } from '../nodes/journey.ts';
import { validateJourney } from '../validate/validateJourney.ts';
import { JourneyInvalidError } from '../model/errors.ts';

/**
 * The journeys the runtime runs: every published version, compiled once. New contacts enter the live
 * (latest, not archived) version; a contact already inside stays pinned to the version it started on.
 */
export class JourneyCatalog {
  private readonly versions = new Map<string, CompiledJourney[]>();
  private readonly archived = new Set<string>();
  private liveCache: { version: number; compiled: CompiledJourney }[] | null = null;

  /** Publishes a journey as its next immutable version and returns the version number (1, 2, ...). */
  publish(definition: unknown, team?: unknown): number {
    const result = validateJourney(definition, team);
    if (!result.valid) throw new JourneyInvalidError(result.errors);
    const journey = Journey.parse(definition);
    const list = this.versions.get(journey.id) ?? [];
    list.push(compileJourney(journey));
    this.versions.set(journey.id, list);
    this.archived.delete(journey.id);
    this.liveCache = null;
    return list.length;
  }

  /** Stops new entries into a journey; contacts inside finish on their version. */
  archive(journeyId: string): void {
    this.archived.add(journeyId);
    this.liveCache = null;
  }

  /** A specific version (1-based), or undefined. */
  get(journeyId: string, version: number): CompiledJourney | undefined {
    return this.versions.get(journeyId)?.[version - 1];
  }

  /** The newest published version of a journey (0 when it has none). */
  latestVersion(journeyId: string): number {
    return this.versions.get(journeyId)?.length ?? 0;
  }

  /** The live versions, sorted by journey id so every run visits them in the same order. */
  live(): readonly { version: number; compiled: CompiledJourney }[] {
    return (this.liveCache ??= [...this.versions.entries()]
      .filter(([id]) => !this.archived.has(id))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, list]) => ({ version: list.length, compiled: list[list.length - 1]! })));
  }
}
