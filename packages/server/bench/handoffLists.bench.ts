// `pnpm bench`: handoff lists over HTTP, measured from outside, at three sizes (issue #17). A lowdb data
// directory is filled with N contacts holding one handoff each (a third open, held by six reps; the rest
// closed), then a real `baton serve` opens it and each list is asked for as the API's clients ask: the
// inbox's page of open handoffs, a page of closed ones and the page after it, and the reps' loads.
// BENCH_BATON_BIN runs another `baton` (an older checkout's bin/baton.mjs) on the same data, for an A/B.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newContactState } from '@baton/engine/internal';
import { handoff } from '@baton/engine/store-contract';
import { LowdbStore } from '../src/index.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = process.env.BENCH_BATON_BIN ?? join(ROOT, 'packages/server/bin/baton.mjs');
const SIZES = (process.env.BENCH_SIZES ?? '10000,30000,100000').split(',').map(Number);
const REPS = ['ana', 'bo', 'cy', 'mia', 'sam', 'lee'];
const T = Date.parse('2026-11-02T09:00:00Z');
const HOUR = 3_600_000;

/** A data directory of `n` contacts, each with one handoff as a pricing-intent lead carries it. */
async function filled(n: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-lists-'));
  const store = await LowdbStore.open(dir, { compactBytes: 1 << 30, fixedCompactBytes: true });
  for (let from = 0; from < n; from += 2000) {
    const commits: Promise<void>[] = [];
    for (let i = from; i < Math.min(n, from + 2000); i++) {
      const id = `c${i}`;
      const createdAt = T + i * 20_000;
      const open = i % 3 === 0;
      const rep = REPS[i % REPS.length]!;
      const h = handoff({
        id: `hnd_${i.toString(16).padStart(8, '0')}-bench`,
        contactId: id,
        journeyId: 'pricing-intent',
        node: 'handoff',
        title: `Pricing intent: Company ${i}`,
        priority: 'high',
        status: open ? 'open' : 'closed',
        queue: 'emea-ae',
        assignee: rep,
        createdAt,
        assignedAt: createdAt,
        dueAt: createdAt + 4 * HOUR,
        acceptedAt: open ? null : createdAt + HOUR,
        outcome: open ? null : 'meeting_booked',
        closedAt: open ? null : createdAt + 2 * HOUR,
        outcomes: ['meeting_booked', 'not_interested'],
        trace: ['rule 1 owner: contact.ownerId is not set', `rule 2 queue emea-ae: ${rep} (round robin)`],
        why: ['entered: event.properties.path /pricing = /pricing', 'fit → Good fit: score.fit 82 ≥ 70'],
        context: {
          traits: { company: `Company ${i}`, employees: 900, title: 'VP Sales', region: 'EMEA' },
          scores: { fit: 82, intent: 30 },
          timeline: [
            { name: 'Signed Up', at: createdAt - 2 * HOUR, properties: {} },
            { name: 'Page Viewed', at: createdAt, properties: { path: '/pricing' } },
          ],
          path: ['fit', 'handoff'],
          messages: [],
          talkTrack: 'Ask which plan they compared.',
          nextBestActions: ['Offer a pricing call'],
        },
      });
      const state = { ...newContactState(id, createdAt), handoffs: [h], version: 1 };
      commits.push(store.commit({ contactId: id, expectedVersion: 0, state, effects: [] }));
    }
    await Promise.all(commits);
  }
  await store.compact();
  await store.close();
  return dir;
}

/** Starts `baton serve` on a directory and reads its banner. */
async function serve(dir: string): Promise<{ url: string; admin: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/^ {2}API:/m.test(out)) done();
    });
    child.once('exit', (code) => fail(new Error(`baton serve exited ${code}`)));
  });
  return { url: /Baton is running at (\S+)/.exec(out)![1]!, admin: /admin token:\s+(\S+)/.exec(out)![1]!, child };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One request's answer: the median of 5 times (after one warm-up), its bytes and its JSON. */
async function timed(url: string, admin: string, path: string) {
  const ask = async () => {
    const t = performance.now();
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    const text = await res.text();
    return { ms: performance.now() - t, status: res.status, text };
  };
  await ask();
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await ask());
  const last = runs.at(-1)!;
  return { ms: median(runs.map((r) => r.ms)), bytes: last.text.length, status: last.status, json: last.text };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

console.log(`baton: ${BIN}`);
console.log('| handoffs (open) | request | answer | median ms | bytes |');
console.log('| ---: | --- | ---: | ---: | ---: |');
for (const n of SIZES) {
  const dir = await filled(n);
  const { url, admin, child } = await serve(dir);
  try {
    const row = (what: string, r: { ms: number; bytes: number; status: number }, count: string) =>
      console.log(
        `| ${n.toLocaleString('en')} (${Math.ceil(n / 3).toLocaleString('en')}) | ${what} | ${r.status === 200 ? count : r.status} | ${r.ms.toFixed(1)} | ${mb(r.bytes)} |`,
      );
    const count = (r: { json: string; status: number }) =>
      r.status === 200
        ? `${(JSON.parse(r.json) as { handoffs?: unknown[]; reps?: unknown[] }).handoffs?.length ?? '-'}`
        : '';
    const open = await timed(url, admin, '/api/handoffs?status=open');
    row('open, first page (the inbox)', open, `${count(open)} handoffs`);
    const waiting = await timed(url, admin, '/api/handoffs?status=open&unassigned=true');
    row('open, unassigned (the inbox, when cut)', waiting, `${count(waiting)} handoffs`);
    const closed = await timed(url, admin, '/api/handoffs?status=closed');
    row('closed, first page', closed, `${count(closed)} handoffs`);
    const next = (JSON.parse(closed.json) as { next?: string | null }).next;
    if (next) {
      const second = await timed(url, admin, `/api/handoffs?status=closed&after=${next}`);
      row('closed, second page', second, `${count(second)} handoffs`);
    }
    const all = await timed(url, admin, '/api/handoffs?status=all&limit=100');
    row('all, a page of 100', all, `${count(all)} handoffs`);
    const loads = await timed(url, admin, '/api/reps/loads');
    row("the reps' loads (the Team tab)", loads, 'counts');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
