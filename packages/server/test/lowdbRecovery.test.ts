import { spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newContactState, newDesk, withEvent, type Commit, type Timeline } from '@baton/engine/internal';
import { DamagedJournalError, DataDirLockedError, DataFileError, JournalGapError, LowdbStore } from '../src/index.ts';
import { eventOf, past } from './foldWriterRun.ts';

const T = Date.parse('2026-11-23T09:00:00Z');
const freshDir = () => mkdtempSync(join(tmpdir(), 'baton-recovery-'));
const journals = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('runtime.journal.'))
    .sort();
const effect = (name: string) => ({ type: 'event' as const, name, contactId: 'x', properties: {}, at: T });

/**
 * Contacts c0 and c1 are long-lived: their timelines start with 990 past events and take one more per
 * version, so their commits fold the newest events into the older part and drop the oldest past 1,000
 * (journaled as the events dropped and added). Each version's timeline is made from the one before, as a
 * step makes it, sharing its events.
 */
const PAST = (() => {
  let t: Timeline = { history: [] };
  for (let i = 0; i < 990; i++) t = withEvent(t, { name: 'Page Viewed', at: T - (1000 - i) * 60_000, properties: {} });
  return t;
})();
const timelines = new Map<string, Timeline[]>();
function timelineOf(c: string, v: number): Timeline {
  let list = timelines.get(c);
  if (list === undefined) timelines.set(c, (list = [c === 'c0' || c === 'c1' ? PAST : { history: [], recent: [] }]));
  while (list.length <= v)
    list.push(
      withEvent(list.at(-1)!, { name: 'Feature Used', at: T + list.length * 1000, properties: { n: list.length } }),
    );
  return list[v]!;
}

/** The commit that moves contact `c` from version `v` to `v + 1`, with a message id and an effect that name it. */
const commitOf = (c: string, v: number): Commit => {
  const state = newContactState(c, T, { v: v + 1 });
  return {
    contactId: c,
    expectedVersion: v,
    state: { ...state, contact: { ...state.contact, ...timelineOf(c, v + 1) } },
    messageId: `${c}@${v}`,
    effects: [effect(`${c}@${v}`)],
  };
};

/**
 * A copy of a data directory as a crash at this moment could leave it: journals first (they only grow),
 * then the snapshot, so every record acknowledged before the copy began is in the copy. A file removed
 * meanwhile was covered by a snapshot written meanwhile, which the copy then holds.
 */
function crashImage(dir: string): string {
  const image = freshDir();
  const files = readdirSync(dir).filter((f) => f !== 'baton.lock');
  for (const f of [
    ...files.filter((f) => f.startsWith('runtime.journal.')),
    ...files.filter((f) => !f.startsWith('runtime.journal.')),
  ]) {
    try {
      copyFileSync(join(dir, f), join(image, f));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return image;
}

/** Checks that a reopened store holds every acknowledged commit exactly once (and nothing twice). */
async function expectExactlyOnce(dir: string, acked: ReadonlyMap<string, number>, sent: ReadonlyMap<string, number>) {
  const store = await LowdbStore.open(dir, { warn: () => undefined });
  try {
    const outbox = (await store.readOutbox(0, 1_000_000)).map((e) => (e.effect as { name: string }).name);
    expect(new Set(outbox).size).toBe(outbox.length); // no commit applied twice
    for (const [c, n] of sent) {
      const state = await store.load(c);
      const version = state?.version ?? 0;
      expect(version).toBeGreaterThanOrEqual(acked.get(c) ?? 0);
      expect(version).toBeLessThanOrEqual(n);
      if (state !== undefined) {
        // The timeline of that version, event for event, however its folds were journaled and replayed.
        const { history, recent } = timelineOf(c, version);
        expect([...state.contact.history, ...(state.contact.recent ?? [])]).toEqual([...history, ...(recent ?? [])]);
      }
      for (let v = 0; v < version; v++) {
        expect(await store.hasMessage(`${c}@${v}`)).toBe(true);
        expect(outbox).toContain(`${c}@${v}`);
      }
    }
  } finally {
    await store.close();
  }
}

describe('lowdb store: reopening after snapshots and crashes', () => {
  it('holds every acknowledged commit exactly once, whatever snapshots and crashes fall between the commits (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            contact: fc.integer({ min: 0, max: 11 }),
            snapshot: fc.boolean(),
            crash: fc.boolean(),
            pause: fc.nat(3),
          }),
          { minLength: 20, maxLength: 90 },
        ),
        async (plan) => {
          const dir = freshDir();
          const store = await LowdbStore.open(dir, { compactBytes: 1500 });
          const sent = new Map<string, number>();
          const acked = new Map<string, number>();
          const images: { dir: string; acked: Map<string, number> }[] = [];
          const lanes = new Map<string, Promise<void>>();
          const pending: Promise<unknown>[] = [];
          for (const step of plan) {
            const c = `c${step.contact}`;
            const v = sent.get(c) ?? 0;
            sent.set(c, v + 1);
            // One contact's commits follow each other (the runtime's lanes); contacts run concurrently.
            const run = (lanes.get(c) ?? Promise.resolve()).then(async () => {
              await store.commit(commitOf(c, v));
              acked.set(c, Math.max(acked.get(c) ?? 0, v + 1));
            });
            lanes.set(c, run);
            pending.push(run);
            if (step.snapshot) pending.push(store.compact());
            for (let i = 0; i < step.pause; i++) await new Promise((r) => setImmediate(r));
            if (step.crash) images.push({ acked: new Map(acked), dir: crashImage(dir) });
          }
          await Promise.all(pending);
          images.push({ acked: new Map(acked), dir: crashImage(dir) });
          await store.close();
          for (const image of images) await expectExactlyOnce(image.dir, image.acked, sent);
          await expectExactlyOnce(dir, acked, sent);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reopens a long-lived contact to the version it acknowledged after SIGKILLs among its folds', async () => {
    const dir = freshDir();
    const writer = new URL('./foldWriter.mjs', import.meta.url).pathname;
    let acked = 0;
    // Killed after 40 to 120 more acknowledgements each time: every life folds at least once (every 32 events).
    for (const more of [40, 75, 120, 55, 90]) {
      const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((done, fail) => {
        let text = '';
        let seen = 0;
        child.on('error', fail);
        // 'close', not 'exit': every line the child wrote has been read by then.
        child.on('close', () => done());
        child.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const lines = text.split('\n');
          text = lines.pop()!;
          for (const line of lines) {
            acked = Number(line);
            if (++seen === more) child.kill('SIGKILL');
          }
        });
      });
      const store = await LowdbStore.open(dir, { warn: () => undefined });
      const state = (await store.load('long'))!;
      await store.close();
      // Everything acknowledged is there; at most the one being written when the kill came is beyond it.
      expect(state.version).toBeGreaterThanOrEqual(acked);
      expect(state.version).toBeLessThanOrEqual(acked + 1);
      let expected = past();
      for (let v = 2; v <= state.version; v++) expected = withEvent(expected, eventOf(v));
      const events = (t: Timeline) => [...t.history, ...(t.recent ?? [])];
      expect(events(state.contact)).toEqual(events(expected));
    }
    expect(acked).toBeGreaterThanOrEqual(380);
    // The folds were journaled as the events they dropped and added: no line carries the whole older part.
    for (const f of journals(dir))
      for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).slice(1))
        expect(line.length).toBeLessThan(20_000);
  }, 60_000);

  it('drops a torn last write with a warning naming the file and byte offset, and keeps everything before it', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    for (let v = 0; v < 3; v++) await store.commit(commitOf('c1', v));
    await store.close();
    const file = join(dir, 'runtime.journal.0');
    const whole = statSync(file).size;
    const lastLine = readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)!;
    truncateSync(file, whole - 10); // the last record, cut off
    const warnings: string[] = [];
    const again = await LowdbStore.open(dir, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      `baton: ${file}: dropped a torn last write at byte ${whole - Buffer.byteLength(lastLine) - 1} (${Buffer.byteLength(lastLine) - 9} bytes, never acknowledged)`,
    ]);
    expect((await again.load('c1'))?.version).toBe(2);
    await again.commit(commitOf('c1', 2)); // written after the cut, not behind the torn bytes
    await again.close();
    const silent: string[] = [];
    const third = await LowdbStore.open(dir, { warn: (m) => silent.push(m) });
    expect(silent).toEqual([]);
    expect((await third.load('c1'))?.version).toBe(3);
    await third.close();
  });

  it('drops a zero-filled tail left by a power cut, with a warning', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    await store.commit(commitOf('c1', 0));
    await store.close();
    appendFileSync(join(dir, 'runtime.journal.0'), Buffer.alloc(4096));
    const warnings: string[] = [];
    const again = await LowdbStore.open(dir, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('(4096 bytes, never acknowledged)');
    expect((await again.load('c1'))?.version).toBe(1);
    await again.close();
  });

  it('refuses a journal damaged in the middle (a changed byte), naming file and line, and leaves it as it was', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    for (let v = 0; v < 4; v++) await store.commit(commitOf('c1', v));
    await store.close();
    const file = join(dir, 'runtime.journal.0');
    const text = readFileSync(file, 'utf8');
    const damaged = text.replace('"v":2', '"v":7'); // the second record, checksum now wrong
    writeFileSync(file, damaged);
    const error = await LowdbStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedJournalError);
    expect((error as Error).message).toContain(`${file} is damaged at line 2`);
    expect((error as Error).message).toContain('checksum');
    expect((error as Error).message).not.toMatch(/retry/i);
    expect(readFileSync(file, 'utf8')).toBe(damaged);
  });

  it('refuses a journal with a record missing from the middle', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    for (let v = 0; v < 4; v++) await store.commit(commitOf(`c${v}`, 0));
    await store.close();
    const file = join(dir, 'runtime.journal.0');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 1);
    writeFileSync(file, lines.join('\n'));
    const error = await LowdbStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalGapError);
    expect((error as Error).message).toContain(`${file} line 2: record 3 follows record 1`);
  });

  it('refuses an older journal cut short, since only the newest can hold a torn write', async () => {
    const dir = freshDir();
    const store = await LowdbStore.open(dir);
    for (let v = 0; v < 4; v++) await store.commit(commitOf('c1', v));
    await store.close();
    // Journal 0 half gone, journal 1 after it: a cut that no crash can make.
    const file = join(dir, 'runtime.journal.0');
    truncateSync(file, Math.floor(statSync(file).size / 2) + 5); // mid-record
    writeFileSync(join(dir, 'runtime.journal.1'), '');
    const error = await LowdbStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DamagedJournalError);
    expect((error as Error).message).toContain(`${file} is damaged at line`);
  });

  it('reads a journal written before records were numbered, skipping what the snapshot already holds', async () => {
    const dir = freshDir();
    const old = (c: Commit) => `${JSON.stringify({ commit: c })}\n`;
    const state = { ...newContactState('c1', T, { v: 2 }), version: 2 };
    writeFileSync(
      join(dir, 'runtime.json'),
      JSON.stringify({
        contacts: [state],
        messages: ['c1@0', 'c1@1'],
        desk: { version: 0, state: newDesk() },
        outbox: [],
        seq: 0,
        journal: 3,
      }),
    );
    // The last commit of the snapshot is in the journal too (the old bug), then one more.
    writeFileSync(join(dir, 'runtime.journal.3'), old(commitOf('c1', 1)) + old(commitOf('c1', 2)));
    const store = await LowdbStore.open(dir);
    expect((await store.load('c1'))?.version).toBe(3);
    await store.close();
  });

  it('removes temporary files of killed writes, and keeps one journal across many restarts', async () => {
    const dir = freshDir();
    for (let i = 0; i < 5; i++) {
      const store = await LowdbStore.open(dir);
      await store.commit(commitOf('c1', i));
      // Not closed: as after kill -9, the lock stays behind, and so does a half-written snapshot.
      writeFileSync(join(dir, `.runtime.json.${99990 + i}.tmp`), '{"contacts":[');
      writeFileSync(join(dir, 'baton.lock'), JSON.stringify({ pid: 999_999_999, boot: 'x', started: '1' }));
    }
    const store = await LowdbStore.open(dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(journals(dir)).toEqual(['runtime.journal.0']);
    expect((await store.load('c1'))?.version).toBe(5);
    await store.close();
  });

  it('keeps its files to their owner: the directory 0700, data files 0600', async () => {
    const dir = join(freshDir(), 'data');
    const store = await LowdbStore.open(dir);
    await store.commit(commitOf('c1', 0));
    await store.compact();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect([f, statSync(join(dir, f)).mode & 0o777]).toEqual([f, 0o600]);
    await store.close();
  });

  it('takes over a lock whose process id now belongs to another live process', async () => {
    const dir = freshDir();
    const sleeper = spawn('sleep', ['30']);
    try {
      const stat = readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8');
      const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      // The same live process that wrote it: the lock holds.
      writeFileSync(join(dir, 'baton.lock'), JSON.stringify({ pid: sleeper.pid, boot, started }));
      await expect(LowdbStore.open(dir)).rejects.toBeInstanceOf(DataDirLockedError);
      // A Baton that died, whose id the live process got later: the lock is stale.
      writeFileSync(
        join(dir, 'baton.lock'),
        JSON.stringify({ pid: sleeper.pid, boot, started: String(Number(started) - 100) }),
      );
      const store = await LowdbStore.open(dir);
      await store.close();
    } finally {
      sleeper.kill();
    }
  });

  it('refuses a snapshot that is JSON but not a store, and leaves it as it was', async () => {
    for (const text of ['null', '{}', '[]', '{"contacts":[{"contact":{"id":5}}]}']) {
      const dir = freshDir();
      writeFileSync(join(dir, 'runtime.json'), text);
      const error = await LowdbStore.open(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataFileError);
      expect((error as Error).message).toContain(`${join(dir, 'runtime.json')} is not a Baton data file: $`);
      expect(readFileSync(join(dir, 'runtime.json'), 'utf8')).toBe(text);
    }
  });
});
