import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_PROPERTIES, evaluateCondition, newContactState, withEvent, type Timeline } from '@baton/engine/internal';
import { runStoreContract } from '@baton/engine/store-contract';
import { holdJournalWrites } from './slowDisk.ts';
import { CorruptDataFileError, DamagedJournalError, DataDirLockedError, LowdbStore } from '../src/index.ts';
import { DataFileError } from '../src/stores/dataFileErrors.ts';
import { journalLine } from '../src/stores/journal.ts';

const T = Date.parse('2026-11-23T09:00:00Z');
const freshDir = () => mkdtempSync(join(tmpdir(), 'baton-lowdb-'));
const effect = (name: string) => ({ type: 'event' as const, name, contactId: 'c1', properties: {}, at: T });

runStoreContract('lowdb', () => LowdbStore.open(freshDir()));

describe('lowdb store', () => {
  it('keeps what it acknowledged across a restart, timers included', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    const state = {
      ...newContactState('c1', T, { plan: 'trial' }),
      timers: [
        { id: 't1', contactId: 'c1', journeyId: 'j', run: 1, node: 'wait', timer: 'wait' as const, dueAt: T + 1000 },
      ],
    };
    await store.commit({ contactId: 'c1', expectedVersion: 0, state, messageId: 'm1', effects: [] });
    await store.close();
    const again = await LowdbStore.open(dir);
    expect((await again.load('c1'))?.contact.traits).toEqual({ plan: 'trial' });
    expect(await again.hasMessage('m1')).toBe(true);
    expect(await again.nextDueAt()).toBe(T + 1000);
    await again.close();
  });

  it('leaves pruned effects out of its next snapshot and numbers new ones after them across a restart', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    await store.commit({
      contactId: 'c1',
      expectedVersion: 0,
      state: newContactState('c1', T),
      effects: [effect('A'), effect('B')],
    });
    const [, b] = await store.readOutbox(0, 10);
    await store.pruneOutbox(b!.seq);
    await store.compact();
    const snapshot = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as { outbox: unknown[] };
    expect(snapshot.outbox).toEqual([]);
    await store.close();
    const again = await LowdbStore.open(dir);
    expect(await again.readOutbox(0, 10)).toEqual([]);
    await again.commit({
      contactId: 'c1',
      expectedVersion: 1,
      state: newContactState('c1', T),
      effects: [effect('C')],
    });
    expect((await again.readOutbox(0, 10)).map((e) => e.seq)).toEqual([b!.seq + 1]);
    await again.close();
  });

  it('carries many commits in one durable write (group commit)', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.commit({ contactId: `c${i}`, expectedVersion: 0, state: newContactState(`c${i}`, T), effects: [] }),
      ),
    );
    expect(store.writes).toBeLessThan(10);
    // Acknowledged means on disk: every commit is a line of the journal.
    const journal = readFileSync(join(dir, 'runtime.journal.0'), 'utf8').split('\n').filter(Boolean);
    expect(
      journal
        .map((l) => (JSON.parse(l.split(' ').slice(2).join(' ')) as { commit: { contactId: string } }).commit.contactId)
        .sort(),
    ).toEqual(Array.from({ length: 200 }, (_, i) => `c${i}`).sort());
    await store.close();
  });

  it('hands out an effect only once the commit that made it is durable (no webhook for a commit a crash could take back)', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    const { release } = holdJournalWrites(store); // a slow fsync
    const committed = store.commit({
      contactId: 'c1',
      expectedVersion: 0,
      state: newContactState('c1', T),
      effects: [effect('A')],
    });
    expect((await store.load('c1'))?.version).toBe(1); // applied
    expect(await store.readOutbox(0, 10)).toEqual([]); // but not on disk yet
    release();
    await committed;
    expect((await store.readOutbox(0, 10)).map((e) => e.effect)).toEqual([effect('A')]);
    await store.close();
  });

  it('writes nothing after a failed journal write, so the directory reopens without a gap', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    const commit = (id: string) =>
      store.commit({ contactId: id, expectedVersion: 0, state: newContactState(id, T), effects: [] });
    await commit('before');
    // The disk refuses the next write (ENOSPC) while a second commit waits for its own write behind it.
    const journal = (store as unknown as { journal: { append: (lines: string) => Promise<void> } }).journal;
    const append = journal.append.bind(journal);
    let failOnce = true;
    journal.append = async (lines) => {
      await new Promise((r) => setTimeout(r, 5));
      if (failOnce) {
        failOnce = false;
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      }
      return append(lines);
    };
    const first = commit('lost-1');
    await new Promise((r) => setImmediate(r)); // the first write is under way
    const second = commit('lost-2');
    await expect(first).rejects.toThrow('no space left on device');
    await expect(second).rejects.toThrow(/could not be written/);
    expect(store.failed?.message).toBe('no space left on device');
    await store.close();
    const again = await LowdbStore.open(dir);
    expect(await again.contactIds()).toEqual(['before']);
    await again.close();
  });

  it('writes a snapshot once the journal has grown, drops the journals it covers, and reopens to the same state', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir, { compactBytes: 20_000 });
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.commit({
            contactId: `c${i}`,
            expectedVersion: round,
            state: newContactState(`c${i}`, T, { round }),
            effects: [],
            messageId: `m${round}-${i}`,
          }),
        ),
      );
      await store.compact();
      // Once written, the snapshot's data is let go: holding it would keep every contact's state of that
      // moment alive beside the current one (up to twice the memory).
      expect((store as unknown as { db: { data: { contacts: unknown[] } } }).db.data.contacts).toEqual([]);
    }
    await store.commit({ contactId: 'late', expectedVersion: 0, state: newContactState('late', T), effects: [] });
    await store.close();
    expect(readdirSync(dir).filter((f) => f.startsWith('runtime.journal.')).length).toBeLessThanOrEqual(2);
    const snapshot = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as {
      contacts: unknown[];
      journal: number;
    };
    expect(snapshot.contacts).toHaveLength(50);
    const again = await LowdbStore.open(dir);
    expect((again as unknown as { db: { data: { contacts: unknown[] } } }).db.data.contacts).toEqual([]); // read into memory, let go
    expect(await again.load('c7')).toMatchObject({ version: 3, contact: { traits: { round: 2 } } });
    expect(await again.load('late')).toBeDefined();
    expect(await again.hasMessage('m0-3')).toBe(true);
    expect((await again.contactIds()).length).toBe(51);
    await again.close();
  });

  it('holds the events it reads back from its journal as a step holds them: empty properties one shared object', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    const first = newContactState('c1', T);
    const started = { name: 'Trial Started', at: T, properties: {} };
    const v1 = { ...first, contact: { ...first.contact, recent: [started] } };
    await store.commit({ contactId: 'c1', expectedVersion: 0, state: v1, effects: [] });
    const viewed = { name: 'Page Viewed', at: T + 1, properties: {} };
    const v2 = { ...v1, contact: { ...v1.contact, recent: [started, viewed] } };
    await store.commit({ contactId: 'c1', expectedVersion: 1, state: v2, effects: [] });
    await store.close();
    const again = await LowdbStore.open(dir);
    const events = (await again.load('c1'))!.contact.recent!;
    expect(events.map((e) => e.name)).toEqual(['Trial Started', 'Page Viewed']);
    for (const e of events) expect(e.properties).toBe(NO_PROPERTIES);
    await again.close();
  });

  it('waits for the journal to grow as large as the last snapshot before writing the next (its cost per commit stays bounded)', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir, { compactBytes: 1_000 });
    let journaled = 0;
    for (let i = 0; i < 400; i++) {
      const state = newContactState(`c${i % 200}`, T, { note: 'x'.repeat(200), i });
      journaled += JSON.stringify(state).length;
      await store.commit({ contactId: `c${i % 200}`, expectedVersion: i < 200 ? 0 : 1, state, effects: [] });
    }
    await store.compact();
    // About 120 KB went through the journal: at 1 KB a snapshot that would be a hundred snapshots of a
    // state of up to 70 KB; growing with the state, it is a handful.
    expect(journaled).toBeGreaterThan(100_000);
    expect(store.snapshots).toBeGreaterThan(1);
    expect(store.snapshots).toBeLessThan(12);
    await store.close();
    const again = await LowdbStore.open(dir);
    expect((await again.contactIds()).length).toBe(200);
    expect(await again.load('c5')).toMatchObject({ version: 2, contact: { traits: { i: 205 } } });
    await again.close();
  });

  it("journals what a commit changed, not the contact's whole timeline, and reopens to the same state", async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    let state = newContactState('long', T, { plan: 'pro' });
    for (let v = 0; v < 120; v++) {
      const events = [
        ...(state.contact.recent ?? []),
        { name: 'Page Viewed', at: T + v, properties: { path: `/p/${v}` } },
      ];
      const folded = events.length > 32;
      state = {
        ...state,
        contact: {
          ...state.contact,
          history: folded ? [...state.contact.history, ...events] : state.contact.history,
          recent: folded ? [] : events,
          updatedAt: T + v,
          ...(v === 60 ? { traits: { plan: 'enterprise' } } : {}),
        },
      };
      await store.commit({ contactId: 'long', expectedVersion: v, state, effects: [] });
    }
    await store.close();
    const lines = readFileSync(join(dir, 'runtime.journal.0'), 'utf8').split('\n').filter(Boolean);
    const whole = JSON.stringify(state).length;
    // The last line adds one event to `recent`: a fraction of the contact it changed.
    expect(lines.at(-1)!.length).toBeLessThan(whole / 10);
    expect(lines.at(-1)).toContain('"recentAdded"');
    const again = await LowdbStore.open(dir);
    const { version, ...reopened } = (await again.load('long'))!;
    expect(version).toBe(120);
    expect(reopened).toEqual({ ...state, version: undefined });
    await again.close();
  });

  it('journals a fold of a long timeline as the events it dropped and added, and reopens to the same state', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    const view = (i: number) => ({ name: 'Page Viewed', at: T - (1000 - i) * 60_000, properties: { path: `/p/${i}` } });
    let t: Timeline = { history: [] };
    for (let i = 0; i < 990; i++) t = withEvent(t, view(i));
    let state = newContactState('long', T);
    state = { ...state, contact: { ...state.contact, ...t } };
    await store.commit({ contactId: 'long', expectedVersion: 0, state, effects: [] });
    const whole = JSON.stringify(state).length;
    // 80 more events: folds dropping the oldest events past 1,000 (the second of them after the late one, so
    // the reopened state rests on it), and one event that came late, among the kept ones.
    for (let v = 1; v <= 80; v++) {
      const late = v === 20;
      const e = late ? { ...view(500), name: 'Late' } : view(990 + v);
      state = { ...state, contact: { ...state.contact, ...withEvent(state.contact, e) }, version: v };
      await store.commit({ contactId: 'long', expectedVersion: v, state, effects: [] });
    }
    await store.close();
    const lines = readFileSync(join(dir, 'runtime.journal.0'), 'utf8').split('\n').filter(Boolean).slice(1);
    const folds = lines.filter((l) => l.includes('"historyDropped"'));
    expect(folds.length).toBeGreaterThanOrEqual(2);
    // A fold's line carries the events it added, not the 968 it kept: a twentieth of the contact at most.
    // It is a record kind of its own, which a version from before folds were written refuses as damage
    // instead of replaying the change without its fold.
    for (const l of folds) {
      expect(l.length).toBeLessThan(whole / 20);
      expect(l).toMatch(/^\d+ [0-9a-f]{8} \{"folded":\{/);
    }
    // The late event went in among the kept events: that line holds the whole older part, as it must.
    expect(lines.filter((l) => l.length > whole / 2)).toHaveLength(1);
    const again = await LowdbStore.open(dir);
    const reopened = (await again.load('long'))!;
    expect(reopened).toEqual({ ...state, version: 81 });
    await again.close();
  });

  it('refuses to open a journal whose fold drops more older events than the contact has, naming the line', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    const state = newContactState('c1', T);
    await store.commit({ contactId: 'c1', expectedVersion: 0, state, effects: [] });
    await store.close();
    const bad = { change: { contactId: 'c1', expectedVersion: 1, effects: [], historyDropped: 5, historyAdded: [] } };
    appendFileSync(join(dir, 'runtime.journal.0'), journalLine(2, bad as never));
    const error = await LowdbStore.open(dir).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as Error).message).toContain('line 2');
    expect((error as Error).message).toContain('its fold drops 5 of the 0 older events');
  });

  it('reopens a long timeline from its journal with its name index made: the first read walks no other events', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    let t: Timeline = { history: [] };
    for (let i = 0; i < 990; i++)
      t = withEvent(t, {
        name: i % 100 === 0 ? 'Feature Used' : 'Session Started',
        at: T - (1000 - i) * 60_000,
        properties: {},
      });
    const state = newContactState('long', T);
    // Only in the journal: no snapshot is written before the reopen.
    await store.commit({
      contactId: 'long',
      expectedVersion: 0,
      state: { ...state, contact: { ...state.contact, ...t } },
      effects: [],
    });
    await store.close();
    const again = await LowdbStore.open(dir);
    const loaded = (await again.load('long'))!.contact;
    let reads = 0;
    const history = new Proxy(loaded.history as object[], {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const tenUses = { event: 'Feature Used', within: 'P1D', op: 'gte', value: 10 };
    const holds = evaluateCondition(tenUses, {
      contactId: 'long',
      traits: {},
      history: history as typeof loaded.history,
      recent: loaded.recent,
      now: T,
      score: () => undefined,
    });
    expect(holds).toBe(true);
    expect(reads).toBeLessThan(40); // making the index at this read would walk all ~960 older events
    await again.close();
  });

  it('leaves out a journal line cut off by a crash (never acknowledged), and keeps everything before it', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    await store.commit({
      contactId: 'c1',
      expectedVersion: 0,
      state: newContactState('c1', T, { kept: true }),
      effects: [],
    });
    await store.close();
    appendFileSync(join(dir, 'runtime.journal.0'), '{"commit":{"contactId":"c2","expec');
    const again = await LowdbStore.open(dir);
    expect((await again.load('c1'))?.contact.traits).toEqual({ kept: true });
    expect(await again.load('c2')).toBeUndefined();
    await again.commit({ contactId: 'c3', expectedVersion: 0, state: newContactState('c3', T), effects: [] });
    await again.close();
    const third = await LowdbStore.open(dir);
    expect((await third.contactIds()).sort()).toEqual(['c1', 'c3']);
    await third.close();
  });

  it('refuses a journal damaged in the middle, naming the file and line', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'runtime.journal.0'), 'garbage\n{"desk":{"expectedVersion":0,"state":{}}}\n');
    const error = await LowdbStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedJournalError);
    expect((error as Error).message).toContain('runtime.journal.0 is damaged at line 1 (byte 0)');
  });

  it('refuses to open a data directory another process holds', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    // A second process trying the same directory is told who holds it.
    const other = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${new URL('../src/index.ts', import.meta.url).pathname}').then(m => m.LowdbStore.open(${JSON.stringify(dir)})).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3) })`,
      ],
      { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname },
    );
    expect(other.status).toBe(3);
    expect(other.stderr).toContain(`in use by process ${process.pid}`);
    await store.close();
    const after = await LowdbStore.open(dir);
    await after.close();
  });

  it('takes over the lock of a process that died', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'baton.lock'), '999999999');
    const store = await LowdbStore.open(dir);
    await store.close();
  });

  it('refuses a corrupt data file with a clear message and leaves it untouched', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'runtime.json'), '{"contacts": [');
    const error = await LowdbStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptDataFileError);
    expect((error as Error).message).toContain('runtime.json is not valid JSON');
    expect(readFileSync(join(dir, 'runtime.json'), 'utf8')).toBe('{"contacts": [');
    // The failed open released its lock.
    writeFileSync(join(dir, 'runtime.json'), '');
    await expect(LowdbStore.open(dir)).rejects.not.toBeInstanceOf(DataDirLockedError);
  });
});
