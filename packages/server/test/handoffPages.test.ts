import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '@baton/engine';
import { json, pricingLead, testServer } from './harness.ts';

type Server = Awaited<ReturnType<typeof testServer>>;
interface Page {
  handoffs: { id: string; status: string; assignee: string | null; queue: string | null; dueAt: string | null }[];
  next: string | null;
}

let server: Server;
let ana: string;
/** Tuesday morning in Berlin, so SLAs run from the handoffs' creation. */
const clock = new VirtualClock(Date.parse('2026-12-01T09:00:00Z'));

beforeAll(async () => {
  server = await testServer({ clock });
  ana = await server.token('rep', 'ana');
  // Ana takes one lead at a time, Bo and Cy are away, and Ana is in the fallback's pool too: so most of
  // the seven EMEA leads wait there, unassigned work of one of her queues.
  const team = await json<{ reps: { id: string }[]; queues: { id: string; members: string[] }[] }>(
    server.call(server.adminToken, 'GET', '/api/team'),
  );
  for (const rep of team.reps) {
    if (rep.id === 'ana') Object.assign(rep, { capacity: 1 });
    if (rep.id === 'bo' || rep.id === 'cy') Object.assign(rep, { active: false });
  }
  team.queues.find((q) => q.id === 'sdr-pool')!.members.push('ana');
  expect((await server.call(server.adminToken, 'PUT', '/api/team', team)).status).toBe(200);
  // A second journey hands a demo request to emea-ae alone, where it waits: Ana's two queues then both
  // hold waiting work, created in turns.
  const demo = {
    schema: 'baton.journey/v1',
    id: 'demo',
    name: 'Demo request',
    trigger: { event: 'Demo Requested' },
    start: 'handoff',
    nodes: [
      {
        id: 'handoff',
        type: 'handoff',
        team: 'sales',
        record: 'task',
        title: 'Demo',
        route: [{ to: { queue: 'emea-ae' } }],
        outcomes: { done: 'done' },
      },
      { id: 'done', type: 'exit', outcome: 'done' },
    ],
  };
  expect((await server.call(server.adminToken, 'POST', '/api/journeys', demo)).status).toBe(201);
  const published = await server.call(server.adminToken, 'POST', '/api/journeys/demo/publish');
  expect(published.status, await published.clone().text()).toBe(201);
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    // (Each a second after the one before: the oldest waiting is one handoff, not a tie broken by id.)
    clock.set(clock.now() + 1000);
    ids.push((await pricingLead(server, `lead-${i}`)).id);
    clock.set(clock.now() + 1000);
    if (i % 2 === 1) await server.ingest('track', { userId: `demo-${i}`, event: 'Demo Requested' });
  }
  // Ana closes the first; the oldest waiting comes to her; the newest is given to her too, so her own work
  // and her queue's waiting work interleave in the list's order.
  const closed = await server.call(server.adminToken, 'POST', `/api/handoffs/${ids[0]}/outcome`, {
    outcome: 'not_interested',
    rep: 'ana',
  });
  expect(closed.status, await closed.clone().text()).toBe(200);
  const given = await server.call(server.adminToken, 'POST', `/api/handoffs/${ids[6]}/reassign`, { rep: 'ana' });
  expect(given.status, await given.clone().text()).toBe(200);
});
afterAll(() => server.close());

const list = (token: string, query: string) => json<Page>(server.call(token, 'GET', `/api/handoffs?${query}`));

/** Every page of a list, `limit` at a time, each asked for with the `next` of the one before. */
async function everyPage(token: string, query: string, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  do {
    const page: Page = await list(token, `${query}&limit=${limit}${after === null ? '' : `&after=${after}`}`);
    pages.push(page);
    after = page.next;
  } while (after !== null && pages.length < 20);
  return pages;
}

describe('GET /api/handoffs, a page at a time', () => {
  it('gives the whole list in pages of `limit`, each from the `next` of the one before, the last with next null', async () => {
    const whole = await list(server.adminToken, 'status=all');
    expect(whole.handoffs).toHaveLength(10);
    expect(whole.next).toBeNull();
    const pages = await everyPage(server.adminToken, 'status=all', 3);
    expect(pages.map((p) => p.handoffs.length)).toEqual([3, 3, 3, 1]);
    expect(pages.flatMap((p) => p.handoffs.map((h) => h.id))).toEqual(whole.handoffs.map((h) => h.id));
    expect(pages.at(-1)!.next).toBeNull();
    // A page that ends the list exactly says so at once: no empty page follows.
    expect((await list(server.adminToken, 'status=all&limit=10')).next).toBeNull();
  });

  it('pages open and closed apart, each in the order of the whole list', async () => {
    for (const [status, n] of [
      ['open', 9],
      ['closed', 1],
    ] as const) {
      const whole = await list(server.adminToken, `status=${status}`);
      expect(whole.handoffs).toHaveLength(n);
      expect(whole.handoffs.every((h) => h.status === status)).toBe(true);
      const pages = await everyPage(server.adminToken, `status=${status}`, 2);
      expect(pages.flatMap((p) => p.handoffs.map((h) => h.id))).toEqual(whole.handoffs.map((h) => h.id));
    }
    // The default is the open list.
    expect((await list(server.adminToken, '')).handoffs.map((h) => h.id)).toEqual(
      (await list(server.adminToken, 'status=open')).handoffs.map((h) => h.id),
    );
  });

  it("pages a rep's view, theirs and their queues' unassigned work merged, as the whole of it", async () => {
    const whole = await list(ana, 'status=open');
    expect(whole.handoffs.map((h) => h.assignee)).toEqual(['ana', 'ana', ...Array(7).fill(null)]);
    // (Her queues' waiting work, oldest first across both: the merge is what orders it.)
    const queues = whole.handoffs.slice(2).map((h) => h.queue);
    expect(new Set(queues)).toEqual(new Set(['emea-ae', 'sdr-pool']));
    const pages = await everyPage(ana, 'status=open', 1);
    expect(pages).toHaveLength(whole.handoffs.length);
    expect(pages.flatMap((p) => p.handoffs.map((h) => h.id))).toEqual(whole.handoffs.map((h) => h.id));
  });

  it('gives the work waiting for a rep on unassigned=true: every queue to an admin, her queues to a rep', async () => {
    const all = await list(server.adminToken, 'status=open');
    const waiting = all.handoffs.filter((h) => h.assignee === null).map((h) => h.id);
    expect(waiting).toHaveLength(7);
    expect((await list(server.adminToken, 'status=open&unassigned=true')).handoffs.map((h) => h.id)).toEqual(waiting);
    expect((await list(ana, 'unassigned=true')).handoffs.map((h) => h.id)).toEqual(waiting);
    const pages = await everyPage(ana, 'unassigned=true', 4);
    expect(pages.flatMap((p) => p.handoffs.map((h) => h.id))).toEqual(waiting);
    // Mia is in none of the queues that hold waiting work.
    const mia = await server.token('rep', 'mia');
    expect((await list(mia, 'unassigned=true')).handoffs).toEqual([]);
    // Nor does she see Ana's work, not even as a page mark that would name one of Ana's handoffs.
    expect(await list(mia, 'assignee=ana&limit=1')).toEqual({ handoffs: [], next: null });
    expect((await list(server.adminToken, 'assignee=ana&limit=1')).next).not.toBeNull();
  });

  it("counts each rep's open and late handoffs from their own list: GET /api/reps/loads", async () => {
    const loads = await json<{ reps: { rep: string; open: number; late: number }[] }>(
      server.call(server.adminToken, 'GET', '/api/reps/loads'),
    );
    const open = (await list(server.adminToken, 'status=open')).handoffs;
    const held = (rep: string) => open.filter((h) => h.assignee === rep).length;
    const team = await json<{ reps: { id: string }[] }>(server.call(server.adminToken, 'GET', '/api/team'));
    expect(loads.reps).toEqual(team.reps.map((r) => ({ rep: r.id, open: held(r.id), late: 0 })));
    expect(loads.reps.find((r) => r.rep === 'ana')).toEqual({ rep: 'ana', open: 2, late: 0 });
    // Past the due of Ana's two (neither accepted), both count as late.
    const dues = open.filter((h) => h.assignee === 'ana').map((h) => Date.parse(h.dueAt!));
    clock.set(Math.max(...dues) + 1);
    const past = await json<typeof loads>(server.call(server.adminToken, 'GET', '/api/reps/loads'));
    expect(past.reps.find((r) => r.rep === 'ana')).toEqual({ rep: 'ana', open: 2, late: 2 });
  });

  it('refuses a bad limit, page mark, status or flag with a 400 that names it', async () => {
    const bad: [string, RegExp][] = [
      ['limit=0', /^limit must be a whole number from 1 to 1000, got "0"$/],
      ['limit=1001', /^limit must be a whole number from 1 to 1000/],
      ['limit=2.5', /^limit must be/],
      ['limit=-1', /^limit must be/],
      ['after=__proto__', /^after must be the "next" of the page before, as it was given, got "__proto__"$/],
      [`after=${Buffer.from('{"a":1}').toString('base64url')}`, /^after must be the "next"/],
      [`after=${Buffer.from('[null,"1","x"]').toString('base64url')}`, /^after must be the "next"/],
      ['status=bogus', /^status must be one of open, closed, all, got "bogus"$/],
      ['breached=maybe', /^breached must be one of true, false/],
      ['mine=1', /^mine must be one of true, false/],
      ['unassigned=yes', /^unassigned must be one of true, false/],
      ['unassigned=true&assignee=ana', /^give assignee or unassigned=true, not both$/],
      [`after=${Buffer.from('[null,1,"a\\u0000"]').toString('base64url')}`, /^after must be the "next"/],
    ];
    for (const [query, message] of bad) {
      const res = await server.call(server.adminToken, 'GET', `/api/handoffs?${query}`);
      expect(res.status, query).toBe(400);
      const body = await json<{ error: { code: string; message: string } }>(res);
      expect(body.error.code, query).toBe('input_invalid');
      expect(body.error.message, query).toMatch(message);
    }
  });
});
