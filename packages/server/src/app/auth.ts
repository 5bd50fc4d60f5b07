import type { MiddlewareHandler } from 'hono';
import { httpError } from './errors.ts';

/** Segment's scheme: the write key as the HTTP Basic user name, with an empty password. */
export function writeKeyAuth(writeKey: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const [scheme, value] = header.split(' ');
    const user = scheme?.toLowerCase() === 'basic' && value ? Buffer.from(value, 'base64').toString('utf8').split(':')[0] : undefined;
    if (user !== writeKey) throw httpError(401, 'unauthorized', 'send the write key as the HTTP Basic user name (as Segment does): -u WRITE_KEY:');
    await next();
  };
}

/** API calls carry the admin token printed by `baton serve` as a Bearer token. */
export function tokenAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${token}`) throw httpError(401, 'unauthorized', 'send the API token printed by baton serve as "Authorization: Bearer TOKEN"');
    await next();
  };
}
