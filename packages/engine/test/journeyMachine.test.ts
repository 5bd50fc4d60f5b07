import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { Journey, Workspace, journeyMachine, nodeOfSnapshot } from '../src/index.ts';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
const read = (path: string) => JSON.parse(readFileSync(new URL(path, EXAMPLES), 'utf8'));
const pricing = Journey.parse(read('pricing-intent/journey.json'));
const workspace = Workspace.parse(read('pricing-intent/workspace.json'));

describe("a journey's machine in plain XState (createActor, no Baton runtime)", () => {
  it('runs the pricing example for a good fit through the handoff to its exit', () => {
    const actor = createActor(journeyMachine(pricing, { workspace }), {
      input: { contact: { id: 'c1', traits: { employees: 900, title: 'VP Sales' } } },
    }).start();
    actor.send({ type: 'baton.enter' });
    expect(nodeOfSnapshot(actor.getSnapshot())).toBe('handoff');
    expect(actor.getSnapshot().context.effects).toContainEqual({ type: 'baton.handoff', params: { node: 'handoff' } });
    actor.send({ type: 'baton.outcome', outcome: 'maybe' }); // not declared: nothing moves
    expect(nodeOfSnapshot(actor.getSnapshot())).toBe('handoff');
    actor.send({ type: 'baton.outcome', outcome: 'meeting_booked' });
    const done = actor.getSnapshot();
    expect(done.status).toBe('done');
    expect(done.context).toMatchObject({ path: ['fit', 'handoff', 'won'], outcome: 'converted' });
  });

  it('nurtures a poor fit by email, waits for the timer it is sent, and exits', () => {
    const actor = createActor(journeyMachine(pricing, { workspace }), {
      input: { contact: { id: 'c2', traits: { employees: 20 } } },
    }).start();
    actor.send({ type: 'baton.enter' });
    expect(nodeOfSnapshot(actor.getSnapshot())).toBe('wait');
    expect(actor.getSnapshot().context.effects.map((e: { type: string }) => e.type)).toEqual([
      'baton.action',
      'baton.schedule',
    ]);
    actor.send({ type: 'baton.timer.wait' });
    expect(actor.getSnapshot().context).toMatchObject({
      path: ['fit', 'nurture', 'wait', 'done'],
      outcome: 'completed',
    });
  });

  it('enters every example journey without an unimplemented guard or action', () => {
    // A journey example is a folder with a journey.json (embed-* are programs); its other JSON files but script, team and workspace are journeys too.
    const journeys = readdirSync(EXAMPLES)
      .filter((dir) => existsSync(new URL(`${dir}/journey.json`, EXAMPLES)))
      .flatMap((dir) =>
        readdirSync(new URL(`${dir}/`, EXAMPLES))
          .filter((f) => f.endsWith('.json') && !['script.json', 'team.json', 'workspace.json'].includes(f))
          .map((f) => `${dir}/${f}`),
      );
    expect(journeys.length).toBeGreaterThanOrEqual(6);
    for (const file of journeys) {
      const actor = createActor(journeyMachine(Journey.parse(read(file))), {
        input: { contact: { id: 'c1', traits: {} } },
      });
      const errors: unknown[] = [];
      actor.subscribe({ error: (err) => errors.push(err) });
      actor.start();
      actor.send({ type: 'baton.enter' });
      expect(errors, file).toEqual([]);
      expect(actor.getSnapshot().context.path.length, file).toBeGreaterThan(0);
    }
  });
});
