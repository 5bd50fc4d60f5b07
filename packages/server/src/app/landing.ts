import type { ServerConfig } from './deps.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page at `/` until the designer lands: what is running and how to talk to it. */
export function landingPage(config: ServerConfig): string {
  const journeys = [...new Set(config.journeys.map((j) => j.id))];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baton</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1d2433}code,pre{background:#f3f4f6;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem;overflow:auto}</style></head>
<body><h1>Baton is running</h1>
<p>The designer is not built in this checkout: run <code>pnpm install</code> (it builds it), then restart. The API works: send events, and work handoffs. See the <a href="/api/reference">API reference</a>.</p>
<h2>Journeys (${journeys.length})</h2><ul>${journeys.map((j) => `<li><code>${escapeHtml(j)}</code></li>`).join('')}</ul>
<h2>Send an event</h2>
<pre>curl -u WRITE_KEY: -H 'content-type: application/json' \\
  -d '{"userId":"c1","event":"Page Viewed","properties":{"path":"/pricing"}}' \\
  http://HOST/v1/track</pre>
<h2>See handoffs</h2>
<pre>curl -H 'authorization: Bearer ADMIN_TOKEN' http://HOST/api/handoffs</pre>
<p>The write key and the admin token are printed by <code>baton serve</code> and kept in <code>DATA/config.json</code>.</p>
</body></html>`;
}
