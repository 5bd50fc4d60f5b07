import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** The repository's root. */
export const ROOT = realpathSync(new URL('../../../', import.meta.url).pathname);

/** How to run pnpm: the pnpm running this process, the one on PATH, or pnpm 10 through npx. */
function pnpm(): string[] {
  const exec = process.env.npm_execpath;
  if (exec && basename(exec).startsWith('pnpm')) return [process.execPath, exec];
  if (spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0) return ['pnpm'];
  return ['npx', '-y', 'pnpm@10'];
}

function run(command: string[], cwd: string): string {
  const [bin, ...args] = command;
  try {
    return execFileSync(bin!, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${command.join(' ')} (in ${cwd}) failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** Where the packages were installed, and the tarballs they came from. */
export interface Installed {
  /** A fresh directory outside the workspace: package.json, node_modules, and examples/ copied from the repository. */
  dir: string;
  engineTarball: string;
  serverTarball: string;
}

/**
 * Packs @baton/engine and @baton/server as `pnpm pack` makes them for the registry (their prepack builds
 * dist/: the engine, the server, the designer and the example journeys), and installs both tarballs with
 * npm into a new directory under the system's temporary one, far from the workspace's node_modules.
 * Dependencies (xstate, zod, hono…) come from the npm cache or the registry. The examples the tests
 * run are copied next to node_modules, so `@baton/engine` resolves to the installed package.
 */
export function installPackages(): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'baton-installed-'));
  try {
    const packs = join(dir, 'tarballs');
    for (const pkg of ['engine', 'server'])
      run([...pnpm(), 'pack', '--pack-destination', packs], join(ROOT, 'packages', pkg));
    const tarball = (prefix: string) => join(packs, readdirSync(packs).find((f) => f.startsWith(prefix))!);
    const installed = { dir, engineTarball: tarball('baton-engine-'), serverTarball: tarball('baton-server-') };
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'baton-installed', private: true, type: 'module' }),
    );
    run(
      [
        'npm',
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        installed.engineTarball,
        installed.serverTarball,
      ],
      dir,
    );
    for (const example of ['pricing-intent', 'embed-node', 'embed-browser']) {
      cpSync(join(ROOT, 'examples', example), join(dir, 'examples', example), {
        recursive: true,
        filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
      });
    }
    return installed;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true }); // a failed build or install leaves nothing behind
    throw err;
  }
}
