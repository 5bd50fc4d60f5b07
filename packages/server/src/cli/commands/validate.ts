import { validateJourney } from '@baton/engine';
import { EXIT, printJson, readJsonFile, type CliIO } from '../io.ts';
import type { Command } from '../command.ts';
import { handoffNodes } from '../handoffNodes.ts';

/** `baton validate JOURNEY.json [--team TEAM.json]`: every problem at once, exit 1 when invalid. */
export const validateCommand: Command = {
  name: 'validate',
  usage: 'baton validate JOURNEY.json [--team TEAM.json] [--json]',
  summary: 'check a journey (and its routing targets against a team)',
  options: { team: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(io: CliIO, args) {
    const [file] = args.positionals as [string];
    const journey = await readJsonFile(io, file, 'journey');
    const team = typeof args.values.team === 'string' ? await readJsonFile(io, args.values.team, 'team') : undefined;
    const result = validateJourney(journey, team);
    // Without a team, routing targets cannot be checked: a valid journey that hands off says so.
    const handoffs = team === undefined ? handoffNodes(journey) : [];
    const unchecked =
      handoffs.length > 0
        ? [
            `not checked: the queues, reps and calendars that handoff node${handoffs.length === 1 ? '' : 's'} ${handoffs.map((h) => `"${h}"`).join(', ')} route to; give --team TEAM.json to check them`,
          ]
        : [];
    if (args.values.json) {
      // Exactly SPEC §8's `{ valid, errors }` on stdout, for tools that compare it whole; the note on stderr.
      printJson(io, result);
      for (const note of unchecked) io.stderr(`${note}\n`);
    } else if (result.valid)
      io.stdout(`✓ ${file} is a valid journey${unchecked.length > 0 ? ` (${unchecked[0]})` : ''}\n`);
    else {
      io.stderr(`✗ ${file} has ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}:\n`);
      for (const e of result.errors) io.stderr(`  ${e.path}${e.node ? ` (node ${e.node})` : ''}: ${e.message}\n`);
    }
    return result.valid ? EXIT.ok : EXIT.invalid;
  },
};
