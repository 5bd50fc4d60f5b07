import { Journey, compileJourney, validateJourney } from '@baton/engine/internal';
import { CliError, EXIT, printJson, readJsonFile, type CliIO } from '../io.ts';
import type { Command } from '../command.ts';

/** `baton compile JOURNEY.json`: the XState machine config, to open in Stately's visualizer. */
export const compileCommand: Command = {
  name: 'compile',
  usage: 'baton compile JOURNEY.json [--json]',
  summary: 'print the XState v5 machine config a journey compiles to',
  options: {},
  positionals: { min: 1, max: 1 },
  async run(io: CliIO, args) {
    const [file] = args.positionals as [string];
    const raw = await readJsonFile(io, file, 'journey');
    const result = validateJourney(raw);
    if (!result.valid)
      throw new CliError(1, `${file} is not a valid journey; run baton validate ${file} for every problem`, result);
    printJson(io, compileJourney(Journey.parse(raw)).config);
    return EXIT.ok;
  },
};
