import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BatonError } from '@baton/engine';
import { journalGenerations, journalName } from '../../stores/journal.ts';
import { LowdbStore } from '../../stores/lowdbStore.ts';
import { CliError, EXIT, printJson, storageOf, type CliIO } from '../io.ts';
import type { Command } from '../command.ts';

/** The bytes of every journal in a data directory. */
async function journalBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const g of await journalGenerations(dir)) bytes += (await stat(join(dir, journalName(g)))).size;
  return bytes;
}

/**
 * `baton compact [--data ./data]`: folds a stopped lowdb directory's journal into its snapshot, as a
 * server does on its own as the journal grows. Then `runtime.json` alone holds the runtime state: what a
 * backup copies, and what an older Baton reads (it may not know a newer journal's records).
 */
export const compactCommand: Command = {
  name: 'compact',
  usage: 'baton compact [--data ./data]',
  summary:
    "fold a stopped server's lowdb journal into its snapshot (runtime.json), before a backup or a downgrade; refused while a server holds the directory",
  options: { data: { type: 'string' }, database: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(io: CliIO, args) {
    const storage = storageOf(io, args.values);
    if ('database' in storage)
      throw new CliError(2, 'compact folds a lowdb journal: PostgreSQL keeps no journal of its own to fold');
    const dir = storage.data;
    if (!existsSync(dir)) throw new CliError(1, `no Baton data in ${dir}: start Baton once with baton serve`);
    const owner = await stat(dir);
    if (!owner.isDirectory())
      throw new CliError(1, `${dir} is not a directory: give the --data directory of baton serve`);
    // Files it writes belong to who runs it: as root on a server's directory, the server could not read them.
    const uid = process.getuid?.();
    if (uid !== undefined && uid !== owner.uid)
      throw new CliError(
        1,
        `${dir} belongs to user ${owner.uid}, and this is user ${uid}: run baton compact as the user that runs baton serve`,
      );
    if (!existsSync(join(dir, 'runtime.json')) && (await journalGenerations(dir)).length === 0)
      throw new CliError(1, `nothing to compact in ${dir}: it holds no runtime.json and no journal`);
    const before = await journalBytes(dir);
    let store: LowdbStore;
    try {
      store = await LowdbStore.open(dir, { warn: (m) => io.stderr(`${m}\n`) });
    } catch (err) {
      if (err instanceof BatonError) throw new CliError(1, err.message);
      throw err;
    }
    let contacts: number;
    try {
      contacts = (await store.contacts()).length;
      await store.compact();
    } finally {
      await store.close();
    }
    const result = {
      data: dir,
      contacts,
      journalBytes: before,
      snapshotBytes: (await stat(join(dir, 'runtime.json'))).size,
    };
    if (args.values.json) printJson(io, result);
    else
      io.stdout(
        `compacted ${dir}: ${contacts.toLocaleString('en')} contacts in runtime.json (${result.snapshotBytes.toLocaleString('en')} bytes), ${before.toLocaleString('en')} bytes of journal folded in\n`,
      );
    return EXIT.ok;
  },
};
