import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import type { Context } from 'hono';
import { gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { HTTPException } from 'hono/http-exception';
import { httpError } from '../errors.ts';
import { nodeHttp } from '../nodeHttp.ts';

/** The most a request may hold once decompressed (SPEC §7: 500 KB), and what its compressed form may weigh. */
export const MAX_REQUEST_BYTES = 500 * 1024;

/** The most one event may weigh as JSON (SPEC §7: 32 KB). */
export const MAX_EVENT_BYTES = 32 * 1024;

const gunzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gunzip);
const inflateAsync = promisify<Buffer, ZlibOptions, Buffer>(inflate);
const inflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(inflateRaw);

const tooLarge = () =>
  httpError(413, 'too_large', `a request may hold at most ${MAX_REQUEST_BYTES / 1024} KB of JSON once decompressed`);

/**
 * Decompresses with zlib's own output cap: zlib inflates chunk by chunk and stops as soon as the output
 * would pass `maxOutputLength`, so a compression bomb costs at most the limit in memory, never its
 * declared size. Past the limit is a 413; a body that is not what its encoding says is a 400.
 */
async function inflateCapped(
  run: (raw: Buffer, options: ZlibOptions) => Promise<Buffer>,
  raw: Buffer,
  encoding: string,
): Promise<Buffer> {
  try {
    return await run(raw, { maxOutputLength: MAX_REQUEST_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge();
    throw httpError(400, 'input_invalid', `the body is not valid ${encoding} data (Content-Encoding: ${encoding})`);
  }
}

/**
 * The body's bytes after its `Content-Encoding`: none, `gzip` (RudderStack's default) or `deflate`
 * (zlib-wrapped as HTTP says, or raw deflate as some senders write it). Anything else is a 415.
 */
export async function decodeBody(raw: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') {
    if (raw.length > MAX_REQUEST_BYTES) throw tooLarge();
    return raw;
  }
  if (encoding === 'gzip' || encoding === 'x-gzip') return inflateCapped(gunzipAsync, raw, 'gzip');
  if (encoding === 'deflate') {
    // HTTP's deflate is zlib-wrapped; some senders write raw deflate: that is tried when the first fails.
    try {
      return await inflateCapped(inflateAsync, raw, 'deflate');
    } catch (err) {
      if (err instanceof HTTPException && err.status === 413) throw err;
      return inflateCapped(inflateRawAsync, raw, 'deflate');
    }
  }
  throw httpError(
    415,
    'unsupported_encoding',
    `Content-Encoding ${JSON.stringify(contentEncoding)} is not supported: send the body as it is, or gzip or deflate it`,
  );
}

const tooLargeAsSent = (limit: number) =>
  httpError(413, 'too_large', `a request body may be at most ${limit / 1024} KB as sent`);

/**
 * Reads a request's body capped at `limit` bytes as it streams in. Under `baton serve` (@hono/node-server)
 * it is read from Node's own request stream: going through the web `Request` makes node-server build a
 * full undici Request, a ReadableStream and an AbortSignal per call, about a tenth of the CPU of a tracked
 * event. Elsewhere (`app.request` in tests, another runtime) it reads the web Request.
 */
export function readRequestBody(c: Context, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const incoming = nodeHttp(c)?.incoming;
  if (incoming && !incoming.readableDidRead) return readIncoming(incoming, limit);
  return readCapped(c.req.raw, limit);
}

/**
 * Node's request stream, capped: past the limit it stops keeping the body and answers 413, discarding
 * the rest as it arrives so the sender reads the answer (dropping the connection mid-upload makes the
 * sender see a reset instead). Nothing past the limit is held in memory; an endless body ends with
 * Node's request timeout.
 */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(incoming.headers['content-length'] ?? Number.NaN);
  if (declared > limit) return Promise.reject(tooLargeAsSent(limit));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      cleanup();
      chunks.length = 0;
      incoming.resume(); // flowing with no listener: discarded
      reject(tooLargeAsSent(limit));
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the sender closed the connection before the body ended'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/**
 * Reads a request body capped at `limit` bytes as it streams in (a body without Content-Length, or one
 * that lies about it, is cut off at the limit rather than buffered whole).
 */
async function readCapped(request: Request, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw tooLargeAsSent(limit);
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLargeAsSent(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
