import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { listenBaton } from './listen.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** analytics.js's browser build and the chunks it loads on demand, served as Segment's CDN would. */
const BUNDLES = new URL('../node_modules/@segment/analytics-next/dist/umd/', import.meta.url).pathname;

/** A journey that hands off a lead when the contact viewed pricing 3 times in 7 days. */
const pricingViews = {
  schema: 'baton.journey/v1',
  id: 'pricing-views',
  name: 'Three pricing views',
  trigger: { event: 'Page Viewed', when: { field: 'event.properties.path', op: 'eq', value: '/pricing' } },
  start: 'count',
  nodes: [
    {
      id: 'count',
      type: 'branch',
      paths: [
        {
          label: '3 views in 7 days',
          when: {
            event: 'Page Viewed',
            where: { field: 'event.properties.path', op: 'eq', value: '/pricing' },
            within: 'P7D',
            op: 'gte',
            value: 3,
          },
          next: 'handoff',
        },
      ],
      otherwise: 'cold',
    },
    {
      id: 'handoff',
      type: 'handoff',
      team: 'sales',
      record: 'lead',
      title: 'Pricing views: {{contact.company}}',
      route: [{ to: { queue: 'emea-ae' } }],
      outcomes: { meeting_booked: 'won' },
    },
    { id: 'won', type: 'exit', outcome: 'converted' },
    { id: 'cold', type: 'exit', outcome: 'cold' },
  ],
};

/** The customer's site on another origin: its pricing page, analytics.js's bundles and its settings (the CDN's part). */
async function customerSite(writeKey: string, apiHost: string) {
  const site = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    if (path === '/pricing') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><title>Pricing</title>
<script>window.analytics = { _cdn: location.origin };</script><script src="/analytics-next/bundles/index.js"></script></head><body>Plans</body></html>`);
    } else if (path === `/v1/projects/${writeKey}/settings`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          integrations: { 'Segment.io': { apiKey: writeKey, apiHost, protocol: 'http' } },
          plan: { track: { __default: { enabled: true } } },
        }),
      );
    } else if (path.startsWith('/analytics-next/bundles/')) {
      const file = normalize(join(BUNDLES, path.slice('/analytics-next/bundles/'.length)));
      if (!file.startsWith(BUNDLES) || !existsSync(file) || extname(file) !== '.js') res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
  return { site, origin: `http://127.0.0.1:${(site.address() as AddressInfo).port}` };
}

describe('analytics.js (@segment/analytics-next) in Chromium, on another origin', () => {
  it('sends anonymous page views, then identify: the views join the contact, count in a condition, and the handoff is created', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    const baton = await listenBaton();
    expect(
      (await baton.api<{ id: string }>('/journeys', { method: 'POST', body: JSON.stringify(pricingViews) })).id,
    ).toBe('pricing-views');
    expect(await baton.api<{ version: number }>('/journeys/pricing-views/publish', { method: 'POST' })).toMatchObject({
      version: 1,
    });
    const apiHost = `${new URL(baton.base).host}/v1`;
    const { site, origin } = await customerSite(baton.writeKey, apiHost);
    expect(origin).not.toBe(baton.base);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      // Only the two local servers may be reached: anything else would be the library calling home.
      const elsewhere: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin) || url.startsWith(baton.base)) return route.continue();
        elsewhere.push(url);
        return route.abort();
      });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${origin}/pricing`);
      const ids = await page.evaluate(
        async ({ writeKey, cdnURL, apiHost: host }) => {
          const { AnalyticsBrowser } = (
            globalThis as unknown as { AnalyticsNext: typeof import('@segment/analytics-next') }
          ).AnalyticsNext;
          const [analytics] = await AnalyticsBrowser.load(
            { writeKey, cdnURL },
            { integrations: { 'Segment.io': { apiHost: host, protocol: 'http' } } },
          );
          await analytics.page();
          await analytics.page();
          const anonymousId = analytics.user().anonymousId();
          await analytics.identify('jane@example.com', { company: 'Acme', employees: 50, region: 'EMEA' } as never); // Segment types company as an object
          await analytics.page();
          return { anonymousId };
        },
        { writeKey: baton.writeKey, cdnURL: origin, apiHost },
      );
      expect(problems).toEqual([]);
      expect(elsewhere).toEqual([]);
      // The browser posted across origins with text/plain bodies to analytics.js's short paths.
      const posts = baton.seen.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/'));
      expect(posts.map((r) => r.path)).toEqual(['/v1/p', '/v1/p', '/v1/i', '/v1/p']);
      expect(
        posts.every((r) => r.headers.origin === origin && r.headers['content-type']?.startsWith('text/plain')),
      ).toBe(true);
      const { handoffs } = await baton.api<{
        handoffs: { contactId: string; journey: string; assignee: string; title: string; why: string[] }[];
      }>('/handoffs');
      expect(handoffs).toEqual([
        expect.objectContaining({
          contactId: 'jane@example.com',
          journey: 'pricing-views',
          assignee: 'ana',
          title: 'Pricing views: Acme',
        }),
      ]);
      const jane = await baton.api<{
        traits: Record<string, unknown>;
        timeline: { name: string; properties: { path?: string } }[];
        journeys: { journey: string; path: string[] }[];
      }>(`/contacts/${encodeURIComponent('jane@example.com')}`);
      expect(jane.timeline.filter((e) => e.name === 'Page Viewed').map((e) => e.properties.path)).toEqual([
        '/pricing',
        '/pricing',
        '/pricing',
      ]);
      expect(jane.journeys).toContainEqual(
        expect.objectContaining({ journey: 'pricing-views', path: ['count', 'handoff'] }),
      );
      const profile = await baton.api<{ anonymous: boolean; linkedTo: string | null; timeline: unknown[] }>(
        `/contacts/${encodeURIComponent(ids.anonymousId!)}`,
      );
      expect(profile).toMatchObject({ anonymous: true, linkedTo: 'jane@example.com', timeline: [] });
    } finally {
      await browser.close();
      await new Promise((done) => (site as Server).close(done));
      await baton.stop();
    }
  });
});
