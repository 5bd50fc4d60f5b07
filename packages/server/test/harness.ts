import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServer, type ServerOptions } from '../src/index.ts';

export const freshDir = () => mkdtempSync(join(tmpdir(), 'baton-serve-'));

/** A small journey: an email on sign-up, a day's wait, an exit. */
export const welcome = (subject: string) => ({
  schema: 'baton.journey/v1',
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'Signed Up' },
  start: 'hello',
  nodes: [
    { id: 'hello', type: 'action', action: 'email', params: { subject }, next: 'wait' },
    { id: 'wait', type: 'wait', duration: 'P1D', next: 'done' },
    { id: 'done', type: 'exit', outcome: 'welcomed' },
  ],
});

export const json = async <T>(r: Response | Promise<Response>): Promise<T> => (await (await r).json()) as T;

/** A server on a fresh lowdb data directory, called through `app.request` with a given token. */
export async function testServer(options: Omit<ServerOptions, 'data' | 'database'> & { data?: string } = {}) {
  const data = options.data ?? freshDir();
  const server = await openServer({ tickMs: 10_000, ...options, data });
  const { writeKey, adminToken } = server.config.data;
  const call = (token: string | null, method: string, path: string, body?: unknown) =>
    server.app.request(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const ingest = (type: 'track' | 'identify', body: unknown) =>
    server.app.request(`/v1/${type}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  /** Issues a token for a role through the API, as an admin would. */
  const token = async (role: 'admin' | 'marketer' | 'rep', rep?: string) =>
    (await json<{ token: string }>(call(adminToken, 'POST', '/api/tokens', { role, rep }))).token;
  return { ...server, data, adminToken, call, ingest, token };
}

/** A fit EMEA contact on the pricing page: the pricing-intent journey hands off a lead to ana. */
export async function pricingLead(
  server: Awaited<ReturnType<typeof testServer>>,
  userId: string,
  traits: Record<string, unknown> = {},
) {
  await server.ingest('identify', {
    userId,
    traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA', ...traits },
  });
  await server.ingest('track', { userId, event: 'Page Viewed', properties: { path: '/pricing' } });
  const state = await server.store.load(userId);
  const h = state?.handoffs.find((x) => x.journeyId === 'pricing-intent');
  if (!h) throw new Error(`no pricing-intent handoff for ${userId}`);
  return h;
}
