import type { IdSource } from '../step/draft.ts';

/**
 * Random ids (`h_3f9c…`, 96 bits) from Web Crypto, present in browsers (secure or not) and in Node 20+:
 * unlike a counter they stay unique across restarts of a process that keeps its state in a durable store.
 */
export function randomIds(): IdSource {
  const bytes = new Uint8Array(12);
  return {
    next(prefix) {
      globalThis.crypto.getRandomValues(bytes);
      let hex = '';
      for (const b of bytes) hex += b.toString(16).padStart(2, '0');
      return `${prefix}_${hex}`;
    },
  };
}
