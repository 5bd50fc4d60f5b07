import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openServer } from '@baton/server';

/** Where screenshots go: test artifacts, kept out of git. */
export const ARTIFACTS = new URL('../../../.artifacts/designer/', import.meta.url).pathname;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DIST = new URL('../dist/index.html', import.meta.url).pathname;

/**
 * `baton serve` on a fresh data directory and headless Chromium on it. Fails (never skips) when the
 * browser or the built designer is missing, saying how to get them.
 */
export async function openDesigner(data: string) {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(DIST)) throw new Error('the designer is not built: pnpm install builds it (or pnpm build)');
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await openServer({ data, tickMs: 200 });
  const listener = await new Promise<ReturnType<typeof serve>>((done) => {
    const s = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () => done(s));
  });
  const address = listener.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  const page: Page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  // A failed request is named by its method and path (the console's own line, 'Failed to load resource', names neither).
  page.on(
    'console',
    (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()),
  );
  page.on(
    'response',
    (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`),
  );
  return {
    server,
    base,
    page,
    browser,
    /** Errors the page logged: a test expects none. */
    problems,
    shot: (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png` }),
    async close() {
      await browser.close();
      (listener as Server).closeAllConnections();
      await new Promise((done) => listener.close(done));
      await server.close();
    },
  };
}

/** Drags from one element's centre to another's with real mouse moves (React Flow connects handles this way). */
export async function dragBetween(page: Page, from: string, to: string) {
  const a = (await page.locator(from).boundingBox())!;
  const b = (await page.locator(to).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/**
 * Waits until the canvas is at rest: every node measured and shown, no layout running, `edges` edges
 * drawn (when given), and nothing on the canvas moved between two animation frames.
 */
export async function canvasAtRest(page: Page, edges?: number) {
  await page.waitForFunction(
    (expected) => {
      const w = window as unknown as { canvasLast?: string };
      const nodes = [...document.querySelectorAll<HTMLElement>('.react-flow__node')];
      const drawn = document.querySelectorAll('.react-flow__edge path.react-flow__edge-path[d]').length;
      const seen = `${[...nodes, ...document.querySelectorAll<HTMLElement>('.react-flow__viewport')]
        .map((e) => {
          const r = e.getBoundingClientRect();
          return `${r.x},${r.y},${r.width},${r.height}`;
        })
        .join('|')}#${drawn}`;
      const still = w.canvasLast === seen;
      w.canvasLast = seen;
      const shown = nodes.length > 0 && nodes.every((n) => getComputedStyle(n).visibility !== 'hidden');
      const idle = document.querySelector('[data-testid=canvas][aria-busy=true]') === null;
      return still && shown && idle && (expected === null || drawn === expected);
    },
    edges ?? null,
    { polling: 'raf' },
  );
}

/** The edges whose drawn path passes through a node other than the two it connects, as "edge behind node". */
export function edgesBehindNodes(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const nodes = [...document.querySelectorAll<HTMLElement>('.react-flow__node')].map((n) => ({
      id: n.dataset.id!,
      box: n.getBoundingClientRect(),
    }));
    const behind: string[] = [];
    for (const edge of document.querySelectorAll<SVGGElement>('.react-flow__edge')) {
      // React Flow labels each edge "Edge from SOURCE to TARGET".
      const [, source, target] = /^Edge from (.+) to (.+)$/.exec(edge.getAttribute('aria-label') ?? '') ?? [];
      const path = edge.querySelector<SVGPathElement>('path.react-flow__edge-path')!;
      const toScreen = path.getScreenCTM()!;
      for (let at = 0; at <= path.getTotalLength(); at += 4) {
        const { x, y } = path.getPointAtLength(at);
        const p = new DOMPoint(x, y).matrixTransform(toScreen);
        const under = nodes.find(
          (n) =>
            n.id !== source &&
            n.id !== target &&
            n.box.left + 2 < p.x &&
            p.x < n.box.right - 2 &&
            n.box.top + 2 < p.y &&
            p.y < n.box.bottom - 2,
        );
        if (under) {
          behind.push(`${edge.dataset.id} behind ${under.id}`);
          break;
        }
      }
    }
    return behind;
  });
}

/**
 * Watches for the next dialog to enter the page and records where the focus is once the task that added it
 * has run its microtasks (ten hops after the DOM change: still before any paint, and before the browser
 * handles another key): `focusOnShow` then answers whether it was inside the dialog. A dialog that focuses
 * in an effect after the paint leaves a key pressed as it shows to the control behind it.
 */
export async function watchDialogFocus(page: Page): Promise<() => Promise<boolean | null>> {
  await page.evaluate(() => {
    const w = window as unknown as { focusOnShow?: boolean | null };
    w.focusOnShow = null;
    const seen = new MutationObserver(() => {
      const dialog = document.querySelector('[role=dialog]');
      if (!dialog) return;
      seen.disconnect();
      const settle = (hops: number) => {
        if (hops > 0) queueMicrotask(() => settle(hops - 1));
        else w.focusOnShow = dialog.contains(document.activeElement);
      };
      settle(10);
    });
    seen.observe(document.body, { childList: true, subtree: true });
  });
  return () => page.evaluate(() => (window as unknown as { focusOnShow?: boolean | null }).focusOnShow ?? null);
}

/** Calls the API as the admin, in-process. */
export async function adminApi(
  ui: {
    server: {
      app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
      config: { data: { adminToken: string } };
    };
  },
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await ui.server.app.request(`/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ui.server.config.data.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.json() as Promise<Record<string, unknown>>;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The serious and critical accessibility problems axe-core finds on the page as it is now, as
 * "rule: target". axe is evaluated through the debugging protocol, which the page's CSP does not govern.
 */
export async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE);
  const found = (await page.evaluate(
    'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) })))',
  )) as { id: string; impact: string; nodes: string[] }[];
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.slice(0, 3).map((n) => `${v.id}: ${n}`));
}

/**
 * A VP at a 900-person EMEA company views pricing, sent to the designer's server as a Segment source
 * would: pricing-intent hands a lead to a rep.
 */
export async function pricingVisit(
  ui: { server: Awaited<ReturnType<typeof openDesigner>>['server'] },
  userId: string,
  traits: Record<string, unknown> = {},
) {
  const key = `Basic ${Buffer.from(`${ui.server.config.data.writeKey}:`).toString('base64')}`;
  const post = (path: string, body: unknown) =>
    ui.server.app.request(path, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/v1/identify', {
    userId,
    traits: { company: `${userId} GmbH`, employees: 900, title: 'VP Sales', region: 'EMEA', ...traits },
  });
  await post('/v1/track', { userId, event: 'Page Viewed', properties: { path: '/pricing' } });
}
