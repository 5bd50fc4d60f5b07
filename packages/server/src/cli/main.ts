import { parseArgs } from 'node:util';
import type { Command, CommandArgs } from './command.ts';
import { compileCommand } from './commands/compile.ts';
import { simulateCommand } from './commands/simulate.ts';
import { validateCommand } from './commands/validate.ts';
import { serveCommand } from './commands/serve.ts';
import { signinCommand } from './commands/signin.ts';
import { compactCommand } from './commands/compact.ts';
import { CliError, EXIT, printJson, type CliIO } from './io.ts';

const COMMANDS: Command[] = [
  validateCommand,
  compileCommand,
  simulateCommand,
  serveCommand,
  signinCommand,
  compactCommand,
];

function help(): string {
  return [
    'usage: baton COMMAND [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'Every command prints JSON with --json; exit 0 ok, 1 invalid input, 2 misuse.',
    '',
  ].join('\n');
}

/** Runs the `baton` command line and returns its exit code; never throws for user mistakes. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(help());
    return name === undefined ? EXIT.misuse : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(
      `baton: unknown command "${name}"; expected one of ${COMMANDS.map((c) => c.name).join(', ')} (baton --help)\n`,
    );
    return EXIT.misuse;
  }
  const json = rest.includes('--json');
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new CliError(2, `${(err as Error).message.split('\n')[0]}\nusage: ${command.usage}`);
    }
    if (parsed.values.help) {
      io.stdout(`usage: ${command.usage}\n${command.summary}\n`);
      return EXIT.ok;
    }
    const n = parsed.positionals.length;
    if (n < command.positionals.min || n > command.positionals.max) {
      throw new CliError(
        2,
        `${command.name} takes ${command.positionals.max === Infinity ? `at least ${command.positionals.min}` : command.positionals.min} file argument${command.positionals.min === 1 ? '' : 's'}, got ${n}\nusage: ${command.usage}`,
      );
    }
    return await command.run(io, { values: parsed.values as CommandArgs['values'], positionals: parsed.positionals });
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`baton ${command.name}: ${err.message}\n`);
      const error = err.message.split('\n')[0]!;
      const details =
        typeof err.details === 'object' && err.details !== null
          ? err.details
          : { valid: false, errors: [{ path: '$', node: null, message: error }] };
      if (json) printJson(io, { error, ...details });
      return err.exitCode;
    }
    io.stderr(`baton ${command.name}: internal error: ${(err as Error).message}\n`);
    return EXIT.invalid;
  }
}
