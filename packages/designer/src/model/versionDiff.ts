import type { DraftJourney, DraftNode } from './draft.ts';

/** What a draft changes against the published version: steps by id, and the journey's own settings. */
export interface VersionDiff {
  added: DraftNode[];
  removed: DraftNode[];
  /** Steps kept with the same id whose fields differ (their place on the canvas does not count). */
  changed: DraftNode[];
  /** The journey's fields besides its steps and layout (entry, start, exit rules, re-entry, name) that differ. */
  settings: string[];
  /** Nothing differs that contacts would see. */
  same: boolean;
}

/** JSON with object keys in order: two values are equal when their canonical texts are. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

/** The draft against the published version: steps added, removed and changed, and settings changed. */
export function versionDiff(published: DraftJourney, draft: DraftJourney): VersionDiff {
  const before = new Map(published.nodes.map((n) => [n.id, n]));
  const after = new Map(draft.nodes.map((n) => [n.id, n]));
  const added = draft.nodes.filter((n) => !before.has(n.id));
  const removed = published.nodes.filter((n) => !after.has(n.id));
  const changed = draft.nodes.filter((n) => before.has(n.id) && canonical(before.get(n.id)) !== canonical(n));
  const keys = new Set([...Object.keys(published), ...Object.keys(draft)]);
  const settings = [...keys]
    .filter((k) => k !== 'nodes' && k !== 'ui' && k !== 'id')
    .filter(
      (k) =>
        canonical((published as unknown as Record<string, unknown>)[k]) !==
        canonical((draft as unknown as Record<string, unknown>)[k]),
    )
    .sort();
  return {
    added,
    removed,
    changed,
    settings,
    same: added.length + removed.length + changed.length + settings.length === 0,
  };
}
