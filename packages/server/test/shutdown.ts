import { expect } from 'vitest';
import { within, type BatonProcess } from './batonProcess.ts';

/** Waits until `check` holds, trying every 20 ms, failing after `ms` with `what`. */
export async function until(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  await within(
    ms,
    what,
    (async () => {
      while (!(await check().catch(() => false))) await new Promise((r) => setTimeout(r, 20));
    })(),
  );
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** Sends one keyed track event; resolves with whether Baton acknowledged it (applied or duplicate). */
export async function send(
  b: BatonProcess,
  messageId: string,
  contact: string,
): Promise<'applied' | 'duplicate' | null> {
  try {
    const res = await fetch(`${b.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basic(b.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ userId: contact, messageId, event: 'Feature Used', properties: { feature: 'reports' } }),
    });
    if (res.status !== 200) return null;
    return ((await res.json()) as { status: 'applied' | 'duplicate' }).status;
  } catch {
    return null; // refused or cut: not acknowledged
  }
}

/** The contact an event of `keepSending` is for: one of 40 per prefix. */
export const contactOf = (messageId: string) => messageId.replace(/-(\d+)$/, (_, k: string) => `-c${Number(k) % 40}`);

/** Senders that post events until the process stops answering; what they saw acknowledged. */
export function keepSending(b: BatonProcess, senders: number, prefix: string) {
  const acked: string[] = [];
  let stopped = false;
  let n = 0;
  const loops = Array.from({ length: senders }, async () => {
    let failures = 0;
    while (!stopped && failures < 20) {
      const id = `${prefix}-${n++}`;
      if ((await send(b, id, contactOf(id))) !== null) {
        acked.push(id);
        failures = 0;
      } else failures++;
    }
  });
  return {
    acked,
    /** Stops sending and waits for the requests in flight. */
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Opens the live stream and reads its first event; `ended` resolves with how it ended. */
export async function openStream(b: BatonProcess) {
  const res = await fetch(`${b.url}/api/stream?access_token=${encodeURIComponent(b.adminToken)}`);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toContain('event: ready');
  const ended = (async () => {
    try {
      for (;;) if ((await reader.read()).done) return 'ended' as const;
    } catch {
      return 'cut' as const;
    }
  })();
  return { ended };
}

/** Every line the process logged is JSON, and none holds a secret. */
export function expectCleanLogs(b: BatonProcess, secrets: string[]): Record<string, unknown>[] {
  const lines = b
    .stderr()
    .split('\n')
    .filter((l) => l !== '');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const secret of secrets) expect(b.stderr()).not.toContain(secret);
  return parsed;
}
