import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Team, Workspace } from '@baton/engine';

/** The example journeys: shipped inside the installed package (dist/examples), or the checkout's examples/. */
const EXAMPLES =
  ['../examples/', '../../../../examples/']
    .map((dir) => new URL(dir, import.meta.url).pathname)
    .find((dir) => existsSync(dir)) ?? '';
const NOT_JOURNEYS = new Set(['team.json', 'script.json', 'workspace.json']);

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as unknown;

/** What a first start seeds ./data with: every example journey, one demo team made of the examples' teams, and their scores. */
export async function exampleSeed(dir = EXAMPLES) {
  const journeys: unknown[] = [];
  const team = { calendars: {} as Record<string, unknown>, reps: [] as unknown[], queues: [] as unknown[] };
  let workspace: unknown = { scores: {} };
  for (const name of (await readdir(dir)).sort()) {
    const files = (await readdir(join(dir, name)).catch(() => [] as string[])).sort();
    if (!files.includes('journey.json')) continue; // a program embedding the engine (embed-*), not a journey example
    for (const file of files.filter((f) => f.endsWith('.json') && !NOT_JOURNEYS.has(f)))
      journeys.push(await readJson(join(dir, name, file)));
    if (files.includes('team.json')) {
      const t = Team.parse(await readJson(join(dir, name, 'team.json')));
      Object.assign(team.calendars, t.calendars);
      team.reps.push(...t.reps);
      team.queues.push(...t.queues);
    }
    if (files.includes('workspace.json')) {
      const ws = Workspace.parse(await readJson(join(dir, name, 'workspace.json')));
      workspace = { scores: { ...(workspace as Workspace).scores, ...ws.scores } };
    }
  }
  return { journeys, team: Team.parse(team), workspace: Workspace.parse(workspace) };
}
