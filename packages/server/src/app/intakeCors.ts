import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { answerHeader, requestHeader } from './nodeHttp.ts';

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
    if (origins === '*') answerHeader(c, 'Access-Control-Allow-Origin', '*');
    else {
      const origin = requestHeader(c, 'origin');
      if (origin !== undefined && origins.includes(origin)) answerHeader(c, 'Access-Control-Allow-Origin', origin);
      answerHeader(c, 'Vary', 'Origin', { append: true });
    }
    await next();
  };
}
