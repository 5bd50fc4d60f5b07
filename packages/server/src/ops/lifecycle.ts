/** Where a process is in its life: it takes traffic only when `ready`. */
export type Phase = 'starting' | 'ready' | 'draining' | 'stopped';

/** What `/readyz` says: ready, or the one word for why not (never more). */
export interface Readiness {
  ready: boolean;
  status: 'ready' | 'starting' | 'draining' | 'stopped' | 'unavailable';
  /** Why a check failed, for the log only. */
  problem?: string;
}

/** A readiness check: resolves when its part is fine, throws (with why) when not. */
export type Check = () => Promise<void>;

/** How long a check's answer is reused: `/readyz` needs no token, so probes must not cost a query each. */
const CHECK_CACHE_MS = 1_000;
/** A check that has not answered by then has failed (a database that hangs is not ready). */
const CHECK_TIMEOUT_MS = 2_000;

/** Runs a check, failing it when it takes longer than the timeout. */
async function timed(check: Check): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A process's phase and its readiness checks (the store reachable with its schema migrated, the
 * scheduler running). Ready means the phase is `ready` and every check passes.
 */
export class Lifecycle {
  private current: Phase = 'starting';
  private readonly checks = new Map<string, Check>();
  private cached: { at: number; answer: Promise<Readiness> } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  get phase(): Phase {
    return this.current;
  }

  /** Adds a named check to readiness. */
  check(name: string, check: Check): void {
    this.checks.set(name, check);
    this.cached = null;
  }

  /** Started: ready once the checks pass. */
  started(): void {
    if (this.current === 'starting') this.current = 'ready';
  }

  /** Stopping: not ready from now on, whatever the checks say. */
  drain(): void {
    if (this.current !== 'stopped') this.current = 'draining';
  }

  /** Stopped for good. */
  stopped(): void {
    this.current = 'stopped';
  }

  /** Whether the process should get traffic now, and if not, why. */
  async readiness(): Promise<Readiness> {
    if (this.current !== 'ready') return { ready: false, status: this.current };
    const now = this.now();
    if (!this.cached || now - this.cached.at >= CHECK_CACHE_MS) this.cached = { at: now, answer: this.runChecks() };
    const answer = await this.cached.answer;
    // A drain that began while the checks ran wins.
    return this.phase === 'ready' ? answer : { ready: false, status: this.phase };
  }

  private async runChecks(): Promise<Readiness> {
    for (const [name, check] of this.checks) {
      try {
        await timed(check);
      } catch (err) {
        return { ready: false, status: 'unavailable', problem: `${name}: ${(err as Error).message}` };
      }
    }
    return { ready: true, status: 'ready' };
  }
}
