import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateJourney } from '@baton/engine';
import {
  applyChange,
  describeIssue,
  layoutJourney,
  readableIssues,
  newJourney,
  newNode,
  record,
  redo,
  startHistory,
  toCanvas,
  toJourney,
  undo,
  TRIGGER_NODE,
  type DraftJourney,
} from '../src/model/index.ts';
import { readFileSync } from 'node:fs';
import { validJourney } from './journeys.ts';

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/${name}/journey.json`, import.meta.url), 'utf8')) as DraftJourney;
const laidOut = (j: DraftJourney): DraftJourney => ({ ...j, ui: { ...j.ui, positions: layoutJourney(j) } });

describe('journey JSON ↔ canvas', () => {
  it('round-trips every valid journey unchanged once it has positions (property)', () => {
    fc.assert(
      fc.property(validJourney, (journey) => {
        const j = laidOut(journey);
        expect(toJourney(toCanvas(j))).toEqual(j);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips the example journeys, and gives each port of a node its own edge', () => {
    for (const name of [
      'pricing-intent',
      'renewal-risk',
      'nps-detractor',
      'adoption-stall',
      'onboarding-ab',
      'trial-nurture',
    ]) {
      const j = laidOut(example(name));
      expect(validateJourney(j).valid).toBe(true);
      expect(toJourney(toCanvas(j))).toEqual(j);
    }
    const canvas = toCanvas(laidOut(example('pricing-intent')));
    const handoff = canvas.edges.filter((e) => e.source === 'handoff').map((e) => e.sourceHandle);
    expect(handoff).toEqual(expect.arrayContaining(['outcomes.meeting_booked', 'outcomes.not_interested', 'onExpire']));
    expect(canvas.edges.find((e) => e.source === TRIGGER_NODE)).toMatchObject({ sourceHandle: 'start', target: 'fit' });
  });
});

describe('edits are data', () => {
  it('connecting the last port makes a drawn journey valid; removing a node clears the ports that led to it', () => {
    let j = newJourney('welcome', 'Welcome');
    const email = newNode(j, 'action');
    j = applyChange(j, { kind: 'addNode', node: email, position: { x: 0, y: 120 } });
    const exit = newNode(j, 'exit');
    j = applyChange(j, { kind: 'addNode', node: exit, position: { x: 0, y: 240 } });
    j = applyChange(j, { kind: 'connect', source: TRIGGER_NODE, handle: 'start', target: email.id });
    const before = validateJourney(j);
    expect(before.valid).toBe(false);
    expect(before.errors.map((e) => e.node)).toContain('action');
    j = applyChange(j, { kind: 'connect', source: email.id, handle: 'next', target: exit.id });
    expect(validateJourney(j)).toEqual({ valid: true, errors: [] });
    const removed = applyChange(j, { kind: 'removeNodes', ids: ['exit'] });
    expect(removed.nodes.find((n) => n.id === 'action')!.next).toBeUndefined();
    expect(removed.ui!.positions!.exit).toBeUndefined();
  });

  it('renaming a node renames every reference to it', () => {
    const j = laidOut(example('pricing-intent'));
    const handoff = j.nodes.find((n) => n.id === 'handoff')!;
    const renamed = applyChange(j, { kind: 'updateNode', id: 'handoff', node: { ...handoff, id: 'sales_lead' } });
    expect(renamed.nodes.map((n) => n.id)).not.toContain('handoff');
    expect(renamed.nodes.find((n) => n.id === 'fit')!.paths).toEqual([expect.objectContaining({ next: 'sales_lead' })]);
    expect(validateJourney(renamed).valid).toBe(true);
    expect(renamed.ui!.positions!.sales_lead).toEqual(j.ui!.positions!.handoff);
    // A rename onto an existing id is refused (nothing changes).
    expect(applyChange(j, { kind: 'updateNode', id: 'handoff', node: { ...handoff, id: 'fit' } })).toBe(j);
  });

  it('pastes copies with fresh ids, keeping the ports between them', () => {
    const j = laidOut(example('adoption-stall'));
    const [a, b] = j.nodes;
    const pasted = applyChange(j, { kind: 'paste', nodes: [a!, b!], positions: {} });
    expect(pasted.nodes).toHaveLength(j.nodes.length + 2);
    const copyA = pasted.nodes.at(-2)!;
    expect(copyA.id).not.toBe(a!.id);
    if (a!.next === b!.id) expect(copyA.next).toBe(pasted.nodes.at(-1)!.id);
  });

  it('undoes and redoes, and does not record a change that changes nothing', () => {
    let h = startHistory(newJourney('j', 'J'));
    const node = newNode(h.present, 'wait');
    h = record(h, { kind: 'addNode', node, position: { x: 1, y: 2 } });
    h = record(h, { kind: 'connect', source: TRIGGER_NODE, handle: 'start', target: node.id });
    expect(record(h, { kind: 'connect', source: node.id, handle: 'nope', target: node.id })).toBe(h);
    h = undo(h);
    expect(h.present.start).toBeUndefined();
    h = undo(h);
    expect(h.present.nodes).toEqual([]);
    h = redo(redo(h));
    expect(h.present.start).toBe(node.id);
  });
});

describe("problems in a marketer's words", () => {
  it('says a port is not connected yet rather than quoting the schema', () => {
    const j = applyChange(newJourney('j', 'J'), {
      kind: 'addNode',
      node: { id: 'w', type: 'wait', duration: 'P1D' },
      position: { x: 0, y: 0 },
    });
    const words = validateJourney(j).errors.map((e) => describeIssue(e, j));
    expect(words).toContain('The entry: the entry leads nowhere yet: drag from its start to the first step');
    expect(words).toContain('Wait "w": its next step leads nowhere yet: drag from it to the next step');
    // A step with a label is named by it; an unreachable step says what to do.
    const labelled = {
      ...j,
      start: 'w',
      nodes: [
        { id: 'w', type: 'wait', duration: 'P1D', next: 'y' },
        { id: 'y', type: 'exit', outcome: 'done' },
        { id: 'x', type: 'exit', outcome: 'done', label: 'Say goodbye' },
      ],
    };
    expect(validateJourney(labelled).errors.map((e) => describeIssue(e, labelled))).toContain(
      '"Say goodbye": nothing leads here yet: connect a step (or the entry) to it',
    );
  });

  it('names the form field a problem is in: the exit rule, the re-entry gap, a webhook URL, whom to notify', () => {
    const j = {
      ...newJourney('j', 'J'),
      reentry: 'soon',
      exitWhen: [{ when: { field: 'contact.lifecycle', op: 'eq', value: 'customer' }, outcome: '' }],
      start: 'hook',
      nodes: [
        { id: 'hook', type: 'action', action: 'webhook', params: { url: 'ftp://crm' }, next: 'tell' },
        { id: 'tell', type: 'action', action: 'notify', params: { to: '' }, next: 'done' },
        { id: 'done', type: 'exit', outcome: 'done' },
      ],
    };
    const words = validateJourney(j).errors.map((e) => describeIssue(e, j));
    expect(words).toEqual(
      expect.arrayContaining([
        'The entry: re-entry: the time between entries is not a duration: use a number and a unit, e.g. 3 days',
        "The entry: exit rule 1's outcome is empty: name it, reports count the contacts who left this way under it",
        'Action "hook": the URL to post to must be a web address starting with https:// (or http://)',
        'Action "tell": choose whom to notify: the contact\'s owner or a rep',
      ]),
    );
    expect(words.join('\n')).not.toMatch(/exitWhen|params\.|Too small/);
  });
});

describe('the problem list', () => {
  it('shows a port left open once, however many schema rules it breaks', () => {
    let j = newJourney('j', 'J');
    const h = newNode(j, 'handoff', { queues: [{ id: 'q' }] });
    j = applyChange(j, { kind: 'addNode', node: h, position: { x: 0, y: 0 } });
    const lines = readableIssues(validateJourney(j).errors, j).filter((r) => r.text.includes('"meeting booked"'));
    expect(lines).toEqual([
      {
        node: 'handoff',
        text: 'Handoff "handoff": its outcome "meeting booked" leads nowhere yet: drag from it to the next step',
      },
    ]);
  });
});
