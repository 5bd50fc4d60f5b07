import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { listenBaton } from './listen.ts';

const DIR = new URL('../typed-client/', import.meta.url);
/** The walkthrough's signature, as the test sees it. */
type Walkthrough = (
  base: string,
  writeKey: string,
  adminToken: string,
  contactId: string,
) => Promise<{
  assignee: string | null;
  acceptedAt: string | null;
  outcome: string | null;
  contactJourneys: { journey: string; status: string; outcome: string | null }[];
}>;

const TSC = new URL('../../../node_modules/.bin/tsc', import.meta.url).pathname;

describe('a typed client generated from /api/openapi.json', () => {
  it('compiles (openapi-typescript + openapi-fetch) and drives the walkthrough: token, handoffs, accept, outcome', async () => {
    const baton = await listenBaton();
    const doc = (await (await fetch(`${baton.base}/api/openapi.json`)).json()) as {
      servers: { url: string }[];
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    expect(doc.servers).toEqual([{ url: '/', description: 'this Baton' }]);
    const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
    expect(operations.filter((op) => !op.operationId)).toEqual([]);
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    writeFileSync(new URL('baton-api.ts', DIR), astToString(await openapiTS(doc as never)));
    const compiled = spawnSync(TSC, ['-p', new URL('tsconfig.json', DIR).pathname], { encoding: 'utf8' });
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    // Imported by URL, so the repository's type-check does not follow it into the file generated above.
    const { walkthrough } = (await import(new URL('walkthrough.ts', DIR).href)) as { walkthrough: Walkthrough };
    const result = await walkthrough(
      baton.base,
      baton.writeKey,
      baton.server.config.data.adminToken,
      'jane@example.com',
    );
    expect(result).toMatchObject({
      assignee: 'ana',
      acceptedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      outcome: 'meeting_booked',
    });
    expect(result.contactJourneys).toContainEqual({
      journey: 'pricing-intent',
      status: 'exited',
      outcome: 'converted',
    });
    await baton.stop();
  });

  it('answers instants as ISO 8601 strings, webhook deliveries included', async () => {
    const baton = await listenBaton();
    await baton.api('/webhooks', { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/baton' }) });
    await baton.server.runtime.ingest({
      type: 'identify',
      userId: 'c1',
      traits: { company: 'Acme', employees: 900, title: 'VP Sales', region: 'EMEA' },
    });
    await baton.server.runtime.ingest({
      type: 'track',
      userId: 'c1',
      event: 'Page Viewed',
      properties: { path: '/pricing' },
    });
    await baton.server.deliveries.pump();
    const { pending, dead } = await baton.api<{ pending: { nextAt: unknown; createdAt: unknown }[]; dead: unknown[] }>(
      '/webhooks/deliveries',
    );
    expect(pending.length + dead.length).toBeGreaterThan(0);
    for (const d of pending) {
      expect(d.nextAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));
      expect(d.createdAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));
    }
    await baton.stop();
  });
});
