import type { ParseArgsConfig } from 'node:util';
import type { CliIO } from './io.ts';

/** Parsed arguments of a command. */
export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** One `baton` command: its options and what it does. Returns the exit code. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: { min: number; max: number };
  run(io: CliIO, args: CommandArgs): Promise<number>;
}
