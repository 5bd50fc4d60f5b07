import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, within } from '../batonProcess.ts';
import { until } from '../shutdown.ts';
import { testServer } from '../harness.ts';
import { adminTokenOf, freshDatabase, killAll, startPgBaton, type PgBaton } from './processes.ts';

/**
 * Several `baton serve` processes on one PostgreSQL database behave as one (SPEC §9): keyed events sent
 * to any of them, some to two at once, end as a one-process run of the same events ends; no rep goes
 * past capacity; every webhook is delivered once; a rep's stream on one process hears work created
 * through another.
 */
const CONTACTS = 1000; // 10 events each: 10k keyed events, as a source's traffic
const SEED = 20_261_202;

interface Call {
  type: 'identify' | 'track';
  body: Record<string, unknown> & { userId: string; messageId: string };
}

/** The events of contact `c`, in order: a fit lead (EMEA for two in three) viewing pricing, then activity. */
function eventsOf(c: number): Call[] {
  const userId = `mp-${c}`;
  const region = c % 3 === 0 ? 'NA' : 'EMEA';
  return [
    {
      type: 'identify',
      body: {
        userId,
        messageId: `${userId}-0`,
        traits: { company: `Co ${c}`, employees: 900, title: 'VP Sales', region },
      },
    },
    {
      type: 'track',
      body: { userId, messageId: `${userId}-1`, event: 'Page Viewed', properties: { path: '/pricing' } },
    },
    {
      type: 'track',
      body: { userId, messageId: `${userId}-2`, event: 'Feature Used', properties: { feature: 'reports' } },
    },
    { type: 'identify', body: { userId, messageId: `${userId}-3`, traits: { visits: 3 } } },
    { type: 'track', body: { userId, messageId: `${userId}-4`, event: 'Page Viewed', properties: { path: '/docs' } } },
    ...[5, 6, 7, 8, 9].map(
      (i): Call => ({
        type: 'track',
        body: {
          userId,
          messageId: `${userId}-${i}`,
          event: i % 2 ? 'Feature Used' : 'Page Viewed',
          properties: { n: i },
        },
      }),
    ),
  ];
}

interface ContactView {
  timeline: { name: string }[];
  journeys: { journey: string; status: string; node: string | null; path: string[] }[];
  handoffs: { id: string; journey: string; node: string; status: string; assignee: string | null }[];
}

/** What must not depend on the process an event went to (which rep round robin chose may). */
const essentials = (v: ContactView) => ({
  timeline: v.timeline.map((e) => e.name),
  journeys: v.journeys.map(({ journey, status, node, path }) => ({ journey, status, node, path })),
  handoffs: v.handoffs.map(({ journey, node, status, assignee }) => ({
    journey,
    node,
    status,
    assigned: assignee !== null,
  })),
});

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

async function post(baton: PgBaton, call: Call): Promise<string> {
  const r = await fetch(`${baton.url}/v1/${call.type}`, {
    method: 'POST',
    headers: { authorization: basic(baton.writeKey), 'content-type': 'application/json' },
    body: JSON.stringify(call.body),
  });
  const text = await r.text();
  if (r.status !== 200) {
    // A 500 is a bug: say what the process logged about it.
    const logged =
      r.status >= 500
        ? baton
            .stderr()
            .split('\n')
            .filter((l) => l.includes('"level":"error"') || l.includes('"level":50'))
            .slice(-3)
            .join('\n')
        : '';
    throw new Error(`${call.type} ${call.body.messageId} to ${baton.url}: ${r.status} ${text}\n${logged}`);
  }
  return (JSON.parse(text) as { status: string }).status;
}

/** Opens an admin stream on `listener`, sends contact `c`'s lead through `sender`, and returns what the stream said once it heard the handoff. */
async function heardAcross(listener: PgBaton, sender: PgBaton, c: number, ms = 10_000): Promise<string> {
  const controller = new AbortController();
  const stream = await fetch(`${listener.url}/api/stream?access_token=${admin}`, { signal: controller.signal });
  const reader = stream.body!.getReader();
  let text = '';
  const heard = (async () => {
    while (!text.includes('Handoff Assigned')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  })();
  for (const call of eventsOf(c).slice(0, 2)) await post(sender, call);
  try {
    await within(ms, `the stream on ${listener.url} hearing the handoff made through ${sender.url}`, heard);
  } finally {
    controller.abort();
  }
  return text;
}

let db: Awaited<ReturnType<typeof freshDatabase>>;
let batons: PgBaton[] = [];
let admin = '';
let receiver: Server;
let receiverUrl = '';
const delivered: { id: string; type: string; handoff: unknown }[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  batons = [await startPgBaton(db.url)]; // the first seeds the database
  batons.push(...(await Promise.all([startPgBaton(db.url), startPgBaton(db.url)])));
  admin = await adminTokenOf(db.url);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { type: string; data: { handoff?: unknown } };
      delivered.push({ id: String(req.headers['webhook-id']), type: parsed.type, handoff: parsed.data.handoff });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`;
}, 120_000);

afterAll(async () => {
  await Promise.all(batons.map((b) => b.stop().catch(() => undefined)));
  await killAll();
  receiver?.close();
  await db?.drop();
}, 60_000);

describe('three processes on one PostgreSQL database', () => {
  it("lets a rep's stream on one process hear a handoff created through another", async () => {
    expect(await heardAcross(batons[0]!, batons[1]!, 1000)).toContain('"contactId":"mp-1000"');
  });

  it('ends a live stream on one process at once when its token is revoked through another', async () => {
    const made = await fetch(`${batons[0]!.url}/api/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'marketer', name: 'leaving' }),
    });
    expect(made.status).toBe(201);
    const { id, token } = (await made.json()) as { id: string; token: string };
    // The other process knows the token once it has taken in the configuration the first one wrote.
    await until(
      20_000,
      'the second process taking the new token',
      async () =>
        (await fetch(`${batons[1]!.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status === 200,
    );
    // A quiet stream: nothing happens that would make it look at its token again for 15 s.
    const stream = await fetch(`${batons[1]!.url}/api/stream?access_token=${encodeURIComponent(token)}`);
    const reader = stream.body!.getReader();
    let text = '';
    const ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await until(5_000, 'the stream saying it is ready', async () => text.includes('event: ready'));
    const revoked = await fetch(`${batons[0]!.url}/api/tokens/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(revoked.status).toBeLessThan(300);
    // Before, it ended at its next keep-alive, 15 s after it said it was ready.
    await within(8_000, 'the stream on another process ending after its token was revoked', ended);
    expect(text).toContain('event: revoked');
  });

  it('ends as one process would: each event once, no duplicate handoff, no rep past capacity, each webhook delivered once', async () => {
    const [a] = batons as [PgBaton];
    const hook = await fetch(`${a.url}/api/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiverUrl }),
    });
    expect(hook.status).toBeLessThan(300);
    const rng = seededRandom(SEED);
    const duplicates: Promise<string>[] = [];
    // Contacts in parallel, each contact's events in order; an event goes to a random process, one in ten to two at once.
    await Promise.all(
      Array.from({ length: 16 }, async (_, sender) => {
        for (let c = sender; c < CONTACTS; c += 16) {
          for (const call of eventsOf(c)) {
            const first = batons[rng.int(0, batons.length - 1)]!;
            if (rng.chance(0.1)) {
              const second = batons[rng.int(0, batons.length - 1)]!;
              const both = await Promise.all([post(first, call), post(second, call)]);
              expect(
                both.filter((s) => s === 'applied').length,
                `${call.body.messageId} applied once`,
              ).toBeLessThanOrEqual(1);
              duplicates.push(Promise.resolve(both.join()));
            } else {
              expect(['applied', 'duplicate']).toContain(await post(first, call));
            }
          }
        }
      }),
    );

    // The same events, in the same order per contact, through one lowdb process.
    const reference = await testServer();
    for (let c = 0; c < CONTACTS; c++) for (const call of eventsOf(c)) await reference.ingest(call.type, call.body);

    const view = async (base: string, token: string, id: string) =>
      (await (
        await fetch(`${base}/api/contacts/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as ContactView;
    const handoffIds = new Set<string>();
    for (let c = 0; c < CONTACTS; c++) {
      const id = `mp-${c}`;
      const got = await view(batons[c % batons.length]!.url, admin, id);
      const want = (await (
        await reference.call(reference.adminToken, 'GET', `/api/contacts/${id}`)
      ).json()) as ContactView;
      expect(essentials(got), id).toEqual(essentials(want));
      expect(
        got.handoffs.filter((h) => h.journey === 'pricing-intent'),
        `${id}: one pricing-intent handoff`,
      ).toHaveLength(1);
      for (const h of got.handoffs) handoffIds.add(h.id);
    }
    await reference.close();
    // The lead of the first test may be delivered too: its events were still in the outbox when the endpoint came.
    const earlier = new Set(((await view(a.url, admin, 'mp-1000')).handoffs ?? []).map((h) => h.id));

    // Capacity: ana and bo take 25 each; nobody holds more open handoffs than that.
    const loads = new Map<string, number>();
    const list = (await (
      await fetch(`${a.url}/api/handoffs?status=open`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { handoffs: { assignee: string | null }[] };
    for (const h of list.handoffs) if (h.assignee) loads.set(h.assignee, (loads.get(h.assignee) ?? 0) + 1);
    expect(loads.get('ana') ?? 0).toBeLessThanOrEqual(25);
    expect(loads.get('bo') ?? 0).toBeLessThanOrEqual(25);

    // Webhooks: every handoff's creation delivered, each delivery once (one process holds the delivery lease).
    await within(
      30_000,
      'every Handoff Created delivered',
      (async () => {
        while (
          new Set(delivered.filter((d) => d.type === 'Handoff Created').map((d) => d.handoff)).size < handoffIds.size
        )
          await new Promise((r) => setTimeout(r, 100));
      })(),
    );
    const ids = delivered.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    const created = new Set(delivered.filter((d) => d.type === 'Handoff Created').map((d) => String(d.handoff)));
    for (const id of handoffIds) expect(created.has(id), `${id} delivered`).toBe(true);
    for (const id of created) expect(handoffIds.has(id) || earlier.has(id), `${id} is a handoff of ours`).toBe(true);
  }, 300_000);
  it('answers 503 while the database drops its connections, and keeps every event it acknowledged', async () => {
    const killer = new pg.Client({ connectionString: db.url });
    await killer.connect();
    const statuses = new Map<number, number>();
    let stop = false;
    // The database cuts every connection of Baton's, again and again, while events arrive.
    const cutting = (async () => {
      while (!stop) {
        await killer.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    // Contacts in parallel, each contact's events in order.
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (const call of Array.from({ length: 10 }, (_, k) => eventsOf(2000 + lane + 4 * k)).flat()) {
          // As a Segment source does: a 5xx is sent again; anything else is final.
          for (let attempt = 0; ; attempt++) {
            const r = await fetch(`${batons[attempt % batons.length]!.url}/v1/${call.type}`, {
              method: 'POST',
              headers: { authorization: basic(batons[0]!.writeKey), 'content-type': 'application/json' },
              body: JSON.stringify(call.body),
            });
            const text = await r.text();
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            if (r.status < 500) break;
            expect(r.status, text).toBe(503);
            await new Promise((done) => setTimeout(done, 50));
          }
        }
      }),
    );
    stop = true;
    await cutting;
    await killer.end();
    expect([...statuses.keys()].sort()).toEqual(statuses.has(503) ? [200, 503] : [200]);
    for (let c = 0; c < 40; c++) {
      const v = (await (
        await fetch(`${batons[0]!.url}/api/contacts/mp-${2000 + c}`, { headers: { authorization: `Bearer ${admin}` } })
      ).json()) as ContactView;
      expect(
        v.timeline.filter((e) => e.name !== 'Contact Updated' && !e.name.startsWith('Handoff')).map((e) => e.name),
        `mp-${2000 + c}`,
      ).toEqual(eventsOf(2000 + c).flatMap((call) => (call.type === 'track' ? [String(call.body.event)] : [])));
      expect(v.timeline.filter((e) => e.name === 'Contact Updated')).toHaveLength(2);
    }
    // Once the database is back, live streams carry on across processes as soon as their LISTEN has
    // reconnected (a notification sent while it was down is gone: NOTIFY keeps nothing). A stream open
    // when its LISTEN reconnects ends, for its client to reconnect and read afresh: a client tries again.
    let heard = '';
    for (let attempt = 0; attempt < 5 && !heard.includes('Handoff Assigned'); attempt++)
      heard = await heardAcross(batons[2]!, batons[0]!, 3000 + attempt, 3000).catch(() => '');
    expect(heard).toContain('Handoff Assigned');
  });
});

describe('a process that dies on PostgreSQL', () => {
  it('keeps the rep loads right through a process killed while it commits and folds them: the loads are the open handoffs', async () => {
    const local = await freshDatabase();
    const a = await startPgBaton(local.url);
    let b: PgBaton | undefined;
    const client = new pg.Client({ connectionString: local.url });
    try {
      // Pricing leads (each routed to a rep) from eight senders, until the process is killed among them.
      let sent = 0;
      const sending = Promise.allSettled(
        Array.from({ length: 8 }, async (_, sender) => {
          for (let c = 5000 + sender; c < 5600; c += 8)
            for (const call of eventsOf(c).slice(0, 2)) {
              await post(a, call);
              sent++;
            }
        }),
      );
      await within(
        30_000,
        'a hundred events acknowledged',
        (async () => {
          while (sent < 100) await new Promise((r) => setTimeout(r, 20));
        })(),
      );
      await a.kill(); // SIGKILL, between commits and folds
      await sending;
      b = await startPgBaton(local.url);
      for (let c = 9000; c < 9010; c++) for (const call of eventsOf(c).slice(0, 2)) await post(b, call);
      await client.connect();
      const { rows: counted } = await client.query<{ assignee: string; n: number }>(
        "SELECT assignee, count(*)::integer AS n FROM baton_handoffs WHERE status = 'open' AND assignee IS NOT NULL GROUP BY assignee ORDER BY assignee",
      );
      const { rows: kept } = await client.query<{ assignee: string; n: number }>(
        'SELECT assignee, open AS n FROM baton_rep_loads_now ORDER BY assignee',
      );
      expect(counted.length).toBeGreaterThan(0);
      expect(kept).toEqual(counted);
    } finally {
      await client.end().catch(() => undefined);
      await b?.stop().catch(() => undefined);
      await a.kill().catch(() => undefined);
      await local.drop();
    }
  }, 120_000);

  it('leaves its contacts to the others: timers that fall due while it is dead fire once, from a survivor', async () => {
    const local = await freshDatabase();
    const [a, b] = [await startPgBaton(local.url), await startPgBaton(local.url)];
    try {
      const token = await adminTokenOf(local.url);
      const api = (method: string, path: string, body?: unknown) =>
        fetch(`${a.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const journey = {
        schema: 'baton.journey/v1',
        id: 'short-wait',
        name: 'Short wait',
        trigger: { event: 'Waited' },
        start: 'wait',
        nodes: [
          { id: 'wait', type: 'wait', duration: 'PT3S', next: 'mail' },
          { id: 'mail', type: 'action', action: 'email', params: { template: 'later' }, next: 'done' },
          { id: 'done', type: 'exit', outcome: 'completed' },
        ],
      };
      expect((await api('POST', '/api/journeys', journey)).status).toBe(201);
      expect((await api('POST', '/api/journeys/short-wait/publish')).status).toBe(201);
      // b hears of the new version (NOTIFY); wait until it takes entries into it.
      const ids = Array.from({ length: 12 }, (_, i) => `dead-${i}`);
      for (const id of ids)
        await post(a, { type: 'track', body: { userId: id, messageId: `${id}-w`, event: 'Waited' } });
      await a.kill(); // SIGKILL, before any timer is due: nobody will fire them but b
      const view = async (id: string) =>
        (await (
          await fetch(`${b.url}/api/contacts/${id}`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as ContactView;
      await within(
        20_000,
        'every contact past its wait on the surviving process',
        (async () => {
          for (;;) {
            const views = await Promise.all(ids.map(view));
            if (views.every((v) => v.journeys.some((j) => j.journey === 'short-wait' && j.status === 'exited'))) return;
            await new Promise((r) => setTimeout(r, 200));
          }
        })(),
      );
      for (const id of ids) {
        const j = (await view(id)).journeys.find((x) => x.journey === 'short-wait')!;
        expect(j.path, id).toEqual(['wait', 'mail', 'done']); // the wait fired once: the email went once
      }
    } finally {
      await b.stop().catch(() => undefined);
      await a.kill().catch(() => undefined);
      await local.drop();
    }
  }, 60_000);
});
