import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Configuration } from '../server/configuration.ts';
import type { Role } from './deps.ts';
import { httpError } from './errors.ts';

/** Who is calling the API. */
export interface Principal {
  role: Role;
  /** The rep a rep token speaks for. */
  rep?: string | undefined;
  name: string;
}

/** The Hono environment of the `/api` routes: the caller is known. */
export type ApiEnv = { Variables: { principal: Principal } };

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Segment's scheme: the write key as the HTTP Basic user name, with an empty password. */
export function writeKeyAuth(writeKey: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const [scheme, value] = header.split(' ');
    const user = scheme?.toLowerCase() === 'basic' && value ? Buffer.from(value, 'base64').toString('utf8').split(':')[0] : undefined;
    if (user === undefined || !same(user, writeKey)) throw httpError(401, 'unauthorized', 'send the write key as the HTTP Basic user name (as Segment does): -u WRITE_KEY:');
    await next();
  };
}

/** The principal an API token stands for, or undefined. The write key is not an API token: it only ingests. */
export function principalOf(config: Configuration, token: string): Principal | undefined {
  if (same(token, config.data.adminToken)) return { role: 'admin', name: 'admin' };
  const t = config.data.tokens.find((x) => same(x.token, token));
  return t && { role: t.role, rep: t.rep, name: t.name };
}

/**
 * API calls carry a token as `Authorization: Bearer TOKEN`. A browser's EventSource cannot set headers, so
 * the live stream also takes `?access_token=`.
 */
export function tokenAuth(config: Configuration): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header?.startsWith('Bearer ') ? header.slice(7) : c.req.path.endsWith('/stream') ? c.req.query('access_token') : undefined;
    const principal = token ? principalOf(config, token) : undefined;
    if (!principal) throw httpError(401, 'unauthorized', 'send an API token as "Authorization: Bearer TOKEN" (baton serve prints the admin token)');
    c.set('principal', principal);
    await next();
  };
}

/** Lets only these roles through; everyone else gets 403 with what they would need. */
export function allow(...roles: Role[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const { role } = c.get('principal');
    if (!roles.includes(role)) throw httpError(403, 'forbidden', `a ${role} token cannot ${c.req.method} ${c.req.path}; it needs one of: ${roles.join(', ')}`);
    await next();
  };
}

/** The caller, inside an authenticated route. */
export const principal = (c: Context<ApiEnv>): Principal => c.get('principal');
