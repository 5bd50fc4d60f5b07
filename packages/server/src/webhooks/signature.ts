import { createHmac, timingSafeEqual } from 'node:crypto';

/** The key inside a Standard Webhooks secret (`whsec_` + base64). */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/** The Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three Standard Webhooks headers for one delivery attempt. */
export function signedHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': sign(secret, id, timestampSeconds, body),
  };
}

/** Why a signed request is not to be trusted, or null when it is. */
export function verifyProblem(
  secret: string,
  headers: { id?: string | undefined; timestamp?: string | undefined; signature?: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): string | null {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature)
    return 'send the webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks)';
  const ts = Number(timestamp);
  if (!Number.isInteger(ts)) return 'webhook-timestamp must be whole seconds since the epoch';
  if (Math.abs(nowSeconds - ts) > toleranceSeconds)
    return `webhook-timestamp is more than ${toleranceSeconds / 60} minutes away from the server's clock`;
  const expected = Buffer.from(sign(secret, id, ts, body));
  const matches = signature.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? null : 'webhook-signature does not match the body signed with the shared secret';
}
