import { createHash, timingSafeEqual } from 'node:crypto';
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
  /** The token it was made from (`admin` for the admin token): a live stream ends when that token is revoked. */
  tokenId: string;
}

/** The Hono environment of the `/api` routes: the caller is known. */
export type ApiEnv = { Variables: { principal: Principal } };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Digests kept by the string they were made from (the write key, tokens, and what callers present), so
 * that each is hashed once rather than on every request: a tracked event's SHA-256 was 2% of its CPU, and
 * an API call hashed what it presented once per issued token. Bounded: strings that come and go (rotated
 * secrets, wrong guesses) are dropped with the rest when it fills; a string longer than any secret Baton
 * issues is hashed each time rather than kept.
 */
const digests = new Map<string, Buffer>();

function digestOf(s: string): Buffer {
  if (s.length > 256) return digest(s);
  let d = digests.get(s);
  if (d === undefined) {
    if (digests.size >= 1024) digests.clear();
    digests.set(s, (d = digest(s)));
  }
  return d;
}

/**
 * Compares a credential with a secret in constant time. Both are hashed first, so the buffers compared
 * always have the same length: a guess of any length or alphabet is just unequal, and reveals nothing
 * about the secret's length (comparing the raw strings' bytes threw on a length mismatch, a 500). Which
 * strings have a kept digest says nothing about the secret: it is found by the string's own hash, and only
 * digests are compared.
 */
const same = (given: string, secret: string) => timingSafeEqual(digestOf(given), digestOf(secret));

/** The HTTP Basic user name of a request (Segment's place for the write key), or undefined. */
export function basicUser(header: string | undefined): string | undefined {
  const [scheme, value] = (header ?? '').split(' ');
  return scheme?.toLowerCase() === 'basic' && value
    ? Buffer.from(value, 'base64').toString('utf8').split(':')[0]
    : undefined;
}

/**
 * Checks the write key of an intake request: the HTTP Basic user name (Segment's scheme, `-u WRITE_KEY:`),
 * or `writeKey` in the JSON body (analytics.js sends it there with a text/plain body, which needs no CORS
 * preflight). Wrong or missing: a 401 that says where to put it.
 */
export function checkWriteKey(header: string | undefined, body: unknown, writeKey: string): void {
  const fromBody =
    typeof body === 'object' && body !== null && 'writeKey' in body
      ? (body as { writeKey: unknown }).writeKey
      : undefined;
  const given = basicUser(header) ?? (typeof fromBody === 'string' ? fromBody : undefined);
  if (given === undefined || !same(given, writeKey)) {
    throw httpError(
      401,
      'unauthorized',
      'send the write key as the HTTP Basic user name (as Segment does: -u WRITE_KEY:) or as "writeKey" in the body',
    );
  }
}

/** The id a principal made from the admin token carries (issued tokens' ids start with `tok_`). */
const ADMIN_TOKEN_ID = 'admin';

/** The principal an API token stands for, or undefined. The write key is not an API token: it only ingests. */
export function principalOf(config: Configuration, token: string): Principal | undefined {
  if (same(token, config.data.adminToken)) return { role: 'admin', name: 'admin', tokenId: ADMIN_TOKEN_ID };
  const t = config.data.tokens.find((x) => same(token, x.token));
  return t && { role: t.role, rep: t.rep, name: t.name, tokenId: t.id };
}

/** Whether the token a principal was made from still stands: false once it is revoked. */
export function stillValid(config: Configuration, p: Principal): boolean {
  return p.tokenId === ADMIN_TOKEN_ID || config.data.tokens.some((t) => t.id === p.tokenId);
}

/** The only route that takes its token in the query: a browser's EventSource cannot set headers. */
export const STREAM_PATH = '/api/stream';

/**
 * API calls carry a token as `Authorization: Bearer TOKEN`. A browser's EventSource cannot set headers, so
 * the live stream, and only it, also takes `?access_token=` (a token in a URL ends up in logs and
 * histories: no other route invites it there).
 */
export function tokenAuth(config: Configuration): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const fromQuery = c.req.method === 'GET' && c.req.path === STREAM_PATH;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : fromQuery ? c.req.query('access_token') : undefined;
    const principal = token ? principalOf(config, token) : undefined;
    if (!principal)
      throw httpError(
        401,
        'unauthorized',
        'send an API token as "Authorization: Bearer TOKEN" (baton serve prints the admin token)',
      );
    c.set('principal', principal);
    await next();
  };
}

/** Lets only these roles through; everyone else gets 403 with what they would need. */
export function allow(...roles: Role[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const { role } = c.get('principal');
    if (!roles.includes(role))
      throw httpError(
        403,
        'forbidden',
        `a ${role} token cannot ${c.req.method} ${c.req.path}; it needs one of: ${roles.join(', ')}`,
      );
    await next();
  };
}

/** The caller, inside an authenticated route. */
export const principal = (c: Context<ApiEnv>): Principal => c.get('principal');
