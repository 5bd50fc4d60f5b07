import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newDesk } from '@baton/engine';
import { DataFileError, openServer } from '../src/index.ts';
import { journalLine } from '../src/stores/journal.ts';
import { freshDir } from './harness.ts';

const root = new URL('../../../', import.meta.url).pathname;
const BIN = join(root, 'packages/server/bin/baton.mjs');

/** A configuration as the first start writes it, to take apart. */
async function seededConfig(): Promise<Record<string, unknown>> {
  const data = freshDir();
  const server = await openServer({ data, tickMs: 10_000 });
  await server.close();
  return JSON.parse(readFileSync(join(data, 'config.json'), 'utf8')) as Record<string, unknown>;
}

/** Opens a server on a data directory holding these files; returns the error it refused with. */
async function refusal(files: Record<string, string>): Promise<{ error: Error; data: string }> {
  const data = freshDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(data, name), text);
  const error = await openServer({ data, tickMs: 10_000 }).then(
    async (s) => {
      await s.close();
      throw new Error('opened');
    },
    (e: Error) => e,
  );
  return { error, data };
}

/** Starts `baton serve` on a directory, reads its banner, and stops it. */
async function banner(data: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data], { cwd: root });
  let out = '';
  try {
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('API:')) done();
      });
      child.once('exit', (code) => fail(new Error(`baton serve exited ${code}: ${out}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
  return out;
}

describe('the data directory at start', () => {
  it.each([
    ['null', 'null', '$: '],
    ['an empty object', '{}', '$.journeys: '],
    ['an array', '[]', '$: '],
    ['a number', '5', '$: '],
  ])('refuses config.json holding %s, naming the file, and leaves it byte for byte', async (_what, text, problem) => {
    const { error, data } = await refusal({ 'config.json': text });
    expect(error).toBeInstanceOf(DataFileError);
    expect(error.message).toContain(`${join(data, 'config.json')} is not a Baton data file: ${problem}`);
    expect(readFileSync(join(data, 'config.json'), 'utf8')).toBe(text);
  });

  it('refuses a configuration whose published journey no longer validates, naming it', async () => {
    const config = await seededConfig();
    const journeys = config.journeys as { definition: { start: string } }[];
    journeys[0]!.definition.start = 'ghost';
    const text = JSON.stringify(config);
    const { error, data } = await refusal({ 'config.json': text });
    expect(error.message).toMatch(/\$\.journeys\[0\] \(\S+ v1\) \$\.start: /);
    expect(readFileSync(join(data, 'config.json'), 'utf8')).toBe(text);
  });

  it('refuses a token without a role and a webhook list that is not a list', async () => {
    const config = await seededConfig();
    const text = JSON.stringify({ ...config, tokens: [{ id: 't', token: 'x' }], webhooks: {} });
    const { error } = await refusal({ 'config.json': text });
    expect(error.message).toContain('$.tokens[0].role');
    expect(error.message).toContain('$.webhooks');
  });

  it('refuses deliveries.json and inbound.json that are not what Baton writes', async () => {
    const config = JSON.stringify(await seededConfig());
    const deliveries = await refusal({
      'config.json': config,
      'deliveries.json': '{"cursor":"x","pending":[],"dead":[]}',
    });
    expect(deliveries.error.message).toContain('deliveries.json is not a Baton data file: $.cursor');
    const inbound = await refusal({ 'config.json': config, 'inbound.json': '{"msg_1":"yesterday"}' });
    expect(inbound.error.message).toContain('inbound.json is not a Baton data file');
  });

  it('fills in what an earlier Baton did not write, once: the secrets it generates stay the same across restarts', async () => {
    const { inboundSecret: _i, actionSecret: _a, tokens: _t, ...older } = await seededConfig();
    const data = freshDir();
    writeFileSync(join(data, 'config.json'), JSON.stringify(older));
    const first = await openServer({ data, tickMs: 10_000 });
    const secret = first.config.data.inboundSecret;
    await first.close();
    const second = await openServer({ data, tickMs: 10_000 });
    expect(second.config.data.inboundSecret).toBe(secret);
    expect(second.config.data.tokens).toEqual([]);
    await second.close();
  });

  it('prints the admin token on the first start only, and baton signin gives the sign-in link on demand', async () => {
    const data = freshDir();
    const first = await banner(data);
    const { adminToken } = JSON.parse(readFileSync(join(data, 'config.json'), 'utf8')) as { adminToken: string };
    expect(first).toContain(`#token=${adminToken}`);
    const second = await banner(data);
    expect(second).not.toContain(adminToken);
    expect(second).toContain('baton signin');
    const signin = spawnSync(process.execPath, [BIN, 'signin', '--data', data, '--port', '4000', '--json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(signin.status).toBe(0);
    expect(JSON.parse(signin.stdout)).toEqual({ url: `http://127.0.0.1:4000/#token=${adminToken}`, adminToken });
    const none = spawnSync(process.execPath, [BIN, 'signin', '--data', freshDir()], { cwd: root, encoding: 'utf8' });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no Baton data in');
  });

  it('refuses to start on a damaged journal with the file and line, exit 1, and no advice to retry', () => {
    const data = freshDir();
    writeFileSync(
      join(data, 'runtime.journal.0'),
      `garbage\n${journalLine(2, { desk: { expectedVersion: 0, state: newDesk() } })}`,
    );
    const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data', data], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(data, 'runtime.journal.0')} is damaged at line 1`);
    expect(r.stderr).not.toMatch(/retry/i);
  });
});
