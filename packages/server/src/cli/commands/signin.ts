import { BatonError } from '@baton/engine';
import type { ServerConfig } from '../../server/configFile.ts';
import { readConfig } from '../../host/storage.ts';
import { CliError, EXIT, printJson, storageOf, type CliIO } from '../io.ts';
import type { Command } from '../command.ts';

/** `baton signin [--data ./data] [--port 3000] [--host 127.0.0.1]`: the designer's sign-in link, on demand. */
export const signinCommand: Command = {
  name: 'signin',
  usage: 'baton signin [--data ./data | --database postgres://…] [--port 3000] [--host 127.0.0.1]',
  summary:
    'print a sign-in link to the designer with the admin token of --data (baton serve shows it on the first start only)',
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    database: { type: 'string' },
    host: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run(io: CliIO, args) {
    const port = Number(args.values.port ?? 3000);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new CliError(2, `--port needs a port number, got ${JSON.stringify(args.values.port)}`);
    const host = typeof args.values.host === 'string' ? args.values.host : '127.0.0.1';
    const storage = storageOf(io, args.values);
    let config: ServerConfig | null;
    try {
      config = await readConfig(storage);
    } catch (err) {
      if (err instanceof BatonError) throw new CliError(1, err.message);
      throw err;
    }
    const where = 'database' in storage ? 'the database' : storage.data;
    if (!config) throw new CliError(1, `no Baton data in ${where}: start Baton once with baton serve`);
    const url = `http://${host}:${port}/#token=${config.adminToken}`;
    if (args.values.json) printJson(io, { url, adminToken: config.adminToken });
    else io.stdout(`${url}\n`);
    return EXIT.ok;
  },
};
