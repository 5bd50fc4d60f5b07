import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS for the event intake, which browser sources (analytics.js on the customer's site) call from other
 * origins (SPEC §7). Preflights are Hono's `cors`. A POST gets its `Access-Control-Allow-Origin` set
 * before the route answers, so the answer is built with it: Hono's `cors` sets it on a placeholder
 * response first, which makes every answer a copy (a full Response built twice per tracked event).
 */
export function intakeCors(origins: '*' | readonly string[]): MiddlewareHandler {
  const preflight = cors({
    origin: origins === '*' ? '*' : [...origins],
    allowMethods: ['POST', 'OPTIONS'],
    maxAge: 86_400,
  });
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    if (origins === '*') c.header('Access-Control-Allow-Origin', '*');
    else {
      const origin = c.req.header('origin');
      if (origin !== undefined && origins.includes(origin)) c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin', { append: true });
    }
    await next();
  };
}
