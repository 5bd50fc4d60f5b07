import type { Store } from '@baton/engine/internal';

/**
 * Holds every journal write of a lowdb store (as a slow fsync would) until `release` is called: the
 * commits are applied in memory meanwhile, and none is durable.
 */
export function holdJournalWrites(store: Store): { release: () => void } {
  const journal = (store as unknown as { journal: { append: (lines: string) => Promise<void> } }).journal;
  const append = journal.append.bind(journal);
  let release!: () => void;
  const disk = new Promise<void>((r) => {
    release = r;
  });
  journal.append = async (lines) => {
    await disk;
    return append(lines);
  };
  return { release };
}
