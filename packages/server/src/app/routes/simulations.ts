import { Hono } from 'hono';
import { z } from 'zod';
import { JsonObject, parseInput, simulateScript } from '@baton/engine/internal';
import { type SimulationSlots, simulateSyntheticJson } from '../../simulation/threads.ts';
import type { ApiEnv } from '../auth.ts';
import { readJsonBody } from '../body.ts';
import type { Configuration } from '../../server/configuration.ts';
import { httpError } from '../errors.ts';

/** A simulation request: which journeys (ids use their draft when there is one), and a script or synthetic contacts. */
export const SimulationRequest = z
  .strictObject({
    journeys: z.array(z.union([z.string(), JsonObject])).min(1),
    script: z.unknown().optional(),
    contacts: z.int().min(1).max(100_000).optional(),
    seed: z.int().default(1),
    days: z.int().min(1).max(366).optional(),
    /** Trait distributions, event rates and rep response for synthetic contacts (the engine's `Population`). */
    population: z.unknown().optional(),
  })
  .refine((r) => (r.script === undefined) !== (r.contacts === undefined), {
    message: 'give either a script or a number of synthetic contacts',
    path: ['script'],
  });
export type SimulationRequest = z.infer<typeof SimulationRequest>;

/**
 * Simulations on a virtual clock against the team and scores of this workspace, with no side effects:
 * nothing is sent and live data is untouched. The answer is the §8 report. A synthetic population runs in
 * a worker thread of its own (`simulation/threads.ts`).
 */
export function simulationRoutes(config: Configuration, slots: SimulationSlots): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post('/', async (c) => {
    const request = parseInput(SimulationRequest, await readJsonBody(c), 'simulation');
    const journeys = request.journeys.map((j) => {
      if (typeof j !== 'string') return j;
      const definition = config.draft(j)?.definition ?? config.latest(j)?.definition;
      if (definition === undefined) throw httpError(404, 'not_found', `no journey ${j}`);
      return definition;
    });
    const common = { journeys, team: config.data.team, workspace: config.data.workspace };
    if (request.contacts === undefined) return c.json(await simulateScript({ ...common, script: request.script }));
    // A population runs in a worker thread: for seconds at 100k contacts, during which this thread keeps
    // answering (event intake, the inbox). The report comes back as the JSON text c.json would write.
    // Runs take the server's free cores one each (`slots`); a client that goes away stops its run.
    const signal = c.req.raw.signal;
    const input = {
      ...common,
      contacts: request.contacts,
      seed: request.seed,
      ...(request.days ? { days: request.days } : {}),
      population: request.population,
    };
    let report: string;
    try {
      report = await slots.run(() => simulateSyntheticJson(input, signal), signal);
    } catch (err) {
      // Stopped because nobody is there to answer: 499 is what the request's log line shows (nginx's
      // "client closed"). Any other failure is the route's, as before.
      if (signal.aborted && err === signal.reason) return new Response(null, { status: 499 });
      throw err;
    }
    return c.body(report, 200, { 'content-type': 'application/json' });
  });
  return app;
}
