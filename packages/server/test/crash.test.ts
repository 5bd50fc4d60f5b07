import { existsSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllBatons, seededRandom, startBaton, within, type BatonProcess } from './batonProcess.ts';
import { testServer } from './harness.ts';

/**
 * Crash recovery of `baton serve`: an acknowledged event is durable, and the same messageId twice is
 * applied once (SPEC §7), across crashes too. Keyed Segment events stream in over HTTP from several
 * senders while the process is SIGKILLed at chosen moments, some of them in the middle of a snapshot. After each restart on the same data directory every unacknowledged event
 * is sent again, and some acknowledged ones too. In the end every event is on its contact's timeline
 * exactly once, each contact has one pricing-intent handoff, and the state is what a run without crashes
 * gives. BATON_CRASH_SEED replays another seed.
 */
const SEED = Number(process.env.BATON_CRASH_SEED ?? 1313);
const CONTACTS = 40; // the emea-ae queue holds 2 × 25: every lead is assigned, whatever the order
const EVENTS = 12; // per contact
const SENDERS = 8;
const MIN_KILLS = 6;
const MAX_LIVES = 16;
const REQUEST_MS = 15_000;
/** The lowdb store (whatever the environment says), with snapshots (and the journal switch) every few commits. */
const ENV = { BATON_SNAPSHOT_BYTES: '20000', BATON_DATABASE_URL: undefined };

const contactId = (c: number) => `crash-${String(c).padStart(2, '0')}`;

interface Call {
  type: 'identify' | 'track';
  body: { userId: string; messageId: string } & Record<string, unknown>;
}

/** Event `i` of contact `c`: the pricing-intent lead (fit identify, then /pricing), then activity. Each carries `n: i`. */
function eventOf(c: number, i: number): Call {
  const userId = contactId(c);
  const messageId = `${userId}-${i}`;
  if (i === 0)
    return {
      type: 'identify',
      body: {
        userId,
        messageId,
        traits: { company: `Company ${c}`, employees: 900, title: 'VP Sales', region: 'EMEA', n: 0 },
      },
    };
  if (i === 1)
    return { type: 'track', body: { userId, messageId, event: 'Page Viewed', properties: { path: '/pricing', n: 1 } } };
  if (i % 4 === 0) return { type: 'identify', body: { userId, messageId, traits: { visits: i, n: i } } };
  return {
    type: 'track',
    body: { userId, messageId, event: 'Feature Used', properties: { feature: 'reports', n: i } },
  };
}

interface ContactView {
  timeline: { name: string; properties?: Record<string, unknown> }[];
  journeys: { journey: string; status: string; node: string | null; path: string[]; outcome: string | null }[];
  handoffs: { journey: string; node: string; queue: string | null; status: string; assignee: string | null }[];
}

/** What must not depend on crashes: journeys, handoffs (but not which rep round robin chose) and the timeline. */
const essentials = (v: ContactView) => ({
  journeys: v.journeys.map(({ journey, status, node, path, outcome }) => ({ journey, status, node, path, outcome })),
  handoffs: v.handoffs.map(({ journey, node, queue, status, assignee }) => ({
    journey,
    node,
    queue,
    status,
    assigned: assignee !== null,
  })),
  timeline: v.timeline.map((e) => e.name),
  /** The `n` of every event of ours on the timeline, in timeline order: 0..EVENTS-1 once each when nothing was lost or doubled. */
  applied: v.timeline.map((e) => e.properties?.n).filter((n) => typeof n === 'number'),
});

const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

/**
 * Sends one call; 'cut' when the process was killed before it answered.
 * Any other answer but 200 is a failure.
 */
async function send(baton: BatonProcess, call: Call): Promise<'applied' | 'duplicate' | 'cut'> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${baton.url}/v1/${call.type}`, {
      method: 'POST',
      headers: { authorization: basic(baton.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    text = await response.text();
  } catch (err) {
    if (baton.killed) return 'cut';
    throw new Error(
      `${call.type} ${call.body.messageId} to a running Baton failed: ${(err as Error).name === 'TimeoutError' ? `no answer within ${REQUEST_MS} ms` : String(err)}`,
    );
  }
  if (response.status !== 200) throw new Error(`${call.type} ${call.body.messageId}: ${response.status} ${text}`);
  const status = (JSON.parse(text) as { status: string }).status;
  if (status !== 'applied' && status !== 'duplicate')
    throw new Error(`${call.type} ${call.body.messageId}: unexpected status ${text}`);
  return status;
}

async function readContacts(baton: BatonProcess): Promise<Map<string, ContactView>> {
  const views = new Map<string, ContactView>();
  for (let c = 0; c < CONTACTS; c++) {
    const r = await fetch(`${baton.url}/api/contacts/${contactId(c)}`, {
      headers: { authorization: `Bearer ${baton.adminToken}` },
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    expect(r.status, `GET /api/contacts/${contactId(c)}`).toBe(200);
    views.set(contactId(c), (await r.json()) as ContactView);
  }
  return views;
}

afterAll(async () => {
  await killAllBatons();
});

describe('baton serve killed with SIGKILL under load', () => {
  it('keeps every acknowledged event exactly once and ends where a run without crashes ends', async () => {
    const data = mkdtempSync(join(tmpdir(), 'baton-crash-'));
    console.log(`crash test seed ${SEED} (BATON_CRASH_SEED=${SEED} replays it), data in ${data}`);
    const killer = seededRandom(SEED);
    const senders = Array.from({ length: SENDERS }, (_, s) => seededRandom(SEED * 31 + s + 1));
    /** How many of each contact's events are acknowledged; they are sent in order, the next only after the last was acknowledged. */
    const acked: number[] = new Array(CONTACTS).fill(0);
    const ackedTotal = () => acked.reduce((a, b) => a + b, 0);
    const problems: string[] = [];
    const stats = { lives: 0, kills: 0, killsMidSnapshot: 0, snapshotsSeen: 0, resentAcknowledged: 0, cutInFlight: 0 };

    /** The senders, each with its own contacts, until everything is acknowledged or the process is killed. */
    const traffic = (baton: BatonProcess, onAck: () => void) =>
      Promise.all(
        senders.map(async (rng, s) => {
          const mine = Array.from({ length: CONTACTS }, (_, c) => c).filter((c) => c % SENDERS === s);
          while (!baton.killed) {
            const open = mine.filter((c) => acked[c]! < EVENTS);
            if (open.length === 0) return;
            const c = rng.pick(open);
            if (acked[c]! > 0 && rng.chance(0.15)) {
              // An acknowledged event again (the sender never saw the answer, say): must change nothing.
              const i = rng.int(0, acked[c]! - 1);
              const status = await send(baton, eventOf(c, i));
              if (status === 'cut') return void stats.cutInFlight++;
              stats.resentAcknowledged++;
              if (status !== 'duplicate')
                problems.push(`acknowledged ${contactId(c)}-${i} was applied again (life ${stats.lives})`);
              continue;
            }
            const status = await send(baton, eventOf(c, acked[c]!));
            if (status === 'cut') return void stats.cutInFlight++;
            acked[c]!++;
            onAck();
          }
        }),
      );

    const start = async (why: string) => {
      stats.lives++;
      try {
        return await startBaton(data, ENV);
      } catch (err) {
        throw new Error(
          `seed ${SEED}: start ${stats.lives} (${why}, ${ackedTotal()} events acknowledged so far) failed: ${(err as Error).message}`,
        );
      }
    };

    // Lives that end in SIGKILL, in turn: while the 1st to 3rd snapshot of the life is being written; a few
    // acknowledgements after its 1st or 2nd snapshot is in place (so the journal that follows a snapshot
    // taken under load is what the restart replays); after a random number of acknowledgements.
    let why = 'first start';
    while (stats.kills < MIN_KILLS || stats.killsMidSnapshot === 0) {
      if (stats.lives >= MAX_LIVES)
        throw new Error(`seed ${SEED}: no kill during a snapshot in ${MAX_LIVES} lives (${JSON.stringify(stats)})`);
      if (ackedTotal() === CONTACTS * EVENTS)
        throw new Error(
          `seed ${SEED}: every event was acknowledged before ${MIN_KILLS} kills (${JSON.stringify(stats)})`,
        );
      const baton = await start(why);
      const mode = (['mid-snapshot', 'after-snapshot', 'random'] as const)[(stats.lives - 1) % 3]!;
      const atSnapshot = killer.int(1, mode === 'mid-snapshot' ? 3 : 2);
      const afterAcks = mode === 'random' ? killer.int(3, 40) : killer.int(1, 6);
      let acks = 0;
      let started = 0;
      let written = 0;
      // Each snapshot's temporary file: `.runtime.json.PID-RANDOM.tmp`.
      const snapshotTemp = (file: string | null): file is string =>
        file?.startsWith(`.runtime.json.${baton.pid}-`) === true && file.endsWith('.tmp');
      let killing: Promise<void> | null = null;
      const kill = () => (killing ??= baton.kill());
      // A snapshot is written to this temporary file, then renamed over runtime.json.
      const watcher = watch(data, (_, file) => {
        if (!snapshotTemp(file)) return;
        if (existsSync(join(data, file))) {
          stats.snapshotsSeen++;
          if (mode === 'mid-snapshot' && ++started >= atSnapshot) void kill();
        } else written++;
      });
      try {
        await within(
          60_000,
          `life ${stats.lives} of the crash run`,
          traffic(baton, () => {
            if (mode === 'random' && ++acks >= afterAcks) void kill();
            if (mode === 'after-snapshot' && written >= atSnapshot && ++acks >= afterAcks) void kill();
          }),
        );
        if (!killing)
          throw new Error(
            `seed ${SEED}: life ${stats.lives} ran out of events before its kill (${JSON.stringify(stats)})`,
          );
        await killing;
      } finally {
        watcher.close();
      }
      stats.kills++;
      const midSnapshot = readdirSync(data).some(snapshotTemp); // the killed write's temporary file is still there
      if (midSnapshot) stats.killsMidSnapshot++;
      why = `after SIGKILL ${
        mode === 'random'
          ? `after ${afterAcks} acknowledgements`
          : mode === 'after-snapshot'
            ? `${afterAcks} acknowledgements after snapshot ${atSnapshot} of its life`
            : `at snapshot ${atSnapshot} of its life${midSnapshot ? ', mid-write' : ''}`
      }`;
    }

    // The last life: the rest of the events, acknowledged events again, then a crash with nothing in flight.
    let baton = await start(why);
    await within(
      60_000,
      'the last life of the crash run',
      traffic(baton, () => undefined),
    );
    expect(ackedTotal()).toBe(CONTACTS * EVENTS);
    for (let k = 0; k < 40; k++) {
      const c = killer.int(0, CONTACTS - 1);
      const i = killer.int(0, EVENTS - 1);
      stats.resentAcknowledged++;
      if ((await send(baton, eventOf(c, i))) !== 'duplicate')
        problems.push(`acknowledged ${contactId(c)}-${i} was applied again at the end`);
    }
    const final = await readContacts(baton);
    await baton.kill();
    stats.kills++;
    baton = await start('after a SIGKILL with every event acknowledged');
    const reopened = await readContacts(baton);
    expect(await baton.stop(), 'exit code of baton serve on SIGTERM').toBe(0);
    console.log(`crash test seed ${SEED}: ${JSON.stringify(stats)}`);
    expect(problems).toEqual([]);

    // The same events without crashes, in-process, one after another.
    const calm = await testServer();
    try {
      for (let c = 0; c < CONTACTS; c++) {
        for (let i = 0; i < EVENTS; i++) {
          const { type, body } = eventOf(c, i);
          expect((await calm.ingest(type, body)).status, `${body.messageId} without crashes`).toBe(200);
        }
      }
      const everyEvent = Array.from({ length: EVENTS }, (_, i) => i);
      for (let c = 0; c < CONTACTS; c++) {
        const id = contactId(c);
        const expected = essentials(
          (await (await calm.call(calm.adminToken, 'GET', `/api/contacts/${id}`)).json()) as ContactView,
        );
        expect(expected.applied).toEqual(everyEvent); // the reference itself is sound
        expect(expected.handoffs).toEqual([
          { journey: 'pricing-intent', node: 'handoff', queue: 'emea-ae', status: 'open', assigned: true },
        ]);
        const crashed = essentials(final.get(id)!);
        expect(crashed.applied, `${id}: every event once, in order`).toEqual(everyEvent);
        expect(
          crashed.handoffs.filter((h) => h.journey === 'pricing-intent'),
          `${id}: one pricing-intent handoff`,
        ).toHaveLength(1);
        expect(crashed, `${id} after crashes vs without`).toEqual(expected);
        expect(essentials(reopened.get(id)!), `${id} after the last restart`).toEqual(crashed);
      }
    } finally {
      await calm.close();
    }
    rmSync(data, { recursive: true, force: true }); // kept when the test fails, to look at
  }, 180_000);
});
