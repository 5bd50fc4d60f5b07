// The README's walkthrough through a client generated from /api/openapi.json (openapi-typescript +
// openapi-fetch): if the document stops describing what the routes take and answer, this stops compiling.
import createClient from 'openapi-fetch';
import type { paths } from './baton-api.ts';

/** What the walkthrough saw, for the test to check. */
export interface WalkthroughResult {
  handoffId: string;
  assignee: string | null;
  acceptedAt: string | null;
  outcome: string | null;
  contactJourneys: { journey: string; status: string; outcome: string | null }[];
}

const fail = (what: string, error: unknown): never => {
  throw new Error(`${what}: ${JSON.stringify(error)}`);
};

/** Events in with the write key, a rep token, the rep's handoffs, accept, an outcome, the contact after. */
export async function walkthrough(
  baseUrl: string,
  writeKey: string,
  adminToken: string,
  contactId: string,
): Promise<WalkthroughResult> {
  const intake = createClient<paths>({ baseUrl, headers: { authorization: `Basic ${btoa(`${writeKey}:`)}` } });
  const identified = await intake.POST('/v1/identify', {
    body: {
      type: 'identify',
      userId: contactId,
      traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
    },
  });
  if (identified.error) fail('identify', identified.error);
  const viewed = await intake.POST('/v1/track', {
    body: { type: 'track', userId: contactId, event: 'Page Viewed', properties: { path: '/pricing' } },
  });
  if (viewed.data?.status !== 'applied') fail('track', viewed.error);

  const admin = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${adminToken}` } });
  const issued = await admin.POST('/api/tokens', { body: { role: 'rep', rep: 'ana' } });
  if (!issued.data) return fail('create a token', issued.error);
  const rep = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${issued.data.token}` } });

  const list = await rep.GET('/api/handoffs', { params: { query: { mine: 'true' } } });
  const handoff = list.data?.handoffs.find((h) => h.contactId === contactId);
  if (!handoff) return fail('read handoffs', list.error ?? list.data);
  const accepted = await rep.POST('/api/handoffs/{id}/accept', { params: { path: { id: handoff.id } }, body: {} });
  if (!accepted.data) return fail('accept', accepted.error);
  const closed = await rep.POST('/api/handoffs/{id}/outcome', {
    params: { path: { id: handoff.id } },
    body: { outcome: 'meeting_booked', value: 30000 },
  });
  if (!closed.data) return fail('log an outcome', closed.error);
  const contact = await admin.GET('/api/contacts/{id}', { params: { path: { id: contactId } } });
  if (!contact.data) return fail('read the contact', contact.error);
  return {
    handoffId: handoff.id,
    assignee: accepted.data.assignee,
    acceptedAt: accepted.data.acceptedAt,
    outcome: closed.data.outcome,
    contactJourneys: contact.data.journeys.map((j) => ({ journey: j.journey, status: j.status, outcome: j.outcome })),
  };
}
