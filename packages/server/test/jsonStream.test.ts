import { describe, expect, it } from 'vitest';
import { writeJson } from '../src/cli/jsonStream.ts';

const written = async (value: Record<string, unknown>, streamed: string) => {
  const pieces: string[] = [];
  await writeJson((t) => pieces.push(t), value, streamed);
  return pieces;
};

describe('a report written as JSON in pieces', () => {
  it('is byte for byte what JSON.stringify gives, for any member, hostile keys and all', async () => {
    const contacts: Record<string, unknown> = Object.create(null);
    contacts.__proto__ = { journeys: { j: { path: ['a', 'b'], note: 'line\nbreak "quoted"', n: null } } };
    for (let i = 0; i < 3000; i++)
      contacts[`synthetic-${i}`] = {
        journeys: { 'pricing-intent': { status: 'exited', path: ['fit'], handoffs: [] } },
      };
    const report = {
      contacts,
      nodes: { j: { a: { entered: 1 } } },
      empty: {},
      list: [],
      skipped: undefined,
      handoffs: { created: 1 },
      refused: [{ step: 0, error: 'x' }],
    };
    const pieces = await written(report, 'contacts');
    expect(pieces.length).toBeGreaterThan(3); // the contacts come in several pieces
    expect(pieces.join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
    for (const edge of [{}, { contacts: {} }, { contacts: [1, 2] }, { contacts: null, other: 'x' }])
      expect((await written(edge, 'contacts')).join('')).toBe(`${JSON.stringify(edge, null, 2)}\n`);
  });

  it('writes a member given as its entries (a spool read in order) as the object they make', async () => {
    const contacts: Record<string, unknown> = Object.create(null);
    contacts.__proto__ = { journeys: { j: { path: ['a'] } } };
    for (let i = 0; i < 3000; i++) contacts[`synthetic-${i}`] = { journeys: { j: { status: 'exited', n: i } } };
    contacts.skipped = undefined;
    const report = { contacts, nodes: { j: { a: { entered: 1 } } } };
    function* entries() {
      yield* Object.entries(contacts);
    }
    const pieces = await written({ ...report, contacts: entries() }, 'contacts');
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
    const none = { contacts: {}, nodes: {} };
    expect((await written({ ...none, contacts: [][Symbol.iterator]() }, 'contacts')).join('')).toBe(
      `${JSON.stringify(none, null, 2)}\n`,
    );
  });

  it('writes the next piece only once the reader has taken the last one', async () => {
    const contacts: Record<string, unknown> = Object.create(null);
    for (let i = 0; i < 3000; i++) contacts[`synthetic-${i}`] = { journeys: { j: { status: 'exited', n: i } } };
    const report = { contacts, nodes: {} };
    const pieces: string[] = [];
    let taken = 0; // pieces the reader has taken
    let waiting: (() => void) | undefined;
    const writing = writeJson(
      (t) => pieces.push(t),
      { ...report, contacts: Object.entries(contacts)[Symbol.iterator]() },
      'contacts',
      () =>
        new Promise<void>((drained) => {
          waiting = drained;
        }),
    );
    // The writer stops after each piece of the contacts until the reader has taken it.
    let rounds = 0;
    for (; ; rounds++) {
      await new Promise((tick) => setImmediate(tick));
      if (waiting === undefined) break; // the writer went on to the end
      const fresh = pieces.slice(taken).join('');
      expect(fresh.length).toBeLessThan((1 << 16) + 1000); // one piece (and what came before it), never two
      taken = pieces.length;
      const drained = waiting;
      waiting = undefined;
      drained();
    }
    await writing;
    expect(rounds).toBeGreaterThan(3); // it waited for the reader once per piece
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });
});
