/**
 * Exponential back-off with jitter for list/watch retries: 429, 5xx, timeouts and dropped connections.
 * Attempt n waits a random time in [d/2, d] where d = min(cap, base * 2^n) ("equal jitter"): retries from many
 * informers spread out instead of hammering a recovering API server together, and never exceed the cap.
 */
export interface BackoffOptions {
  /** first delay's upper bound, ms (default 500) */
  baseMs?: number;
  /** the most any delay can be, ms (default 30 s) */
  capMs?: number;
  /** 0 <= random() < 1; injectable for tests */
  random?: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 500, capMs: 30_000 } as const;

export class Backoff {
  private attempt = 0;
  readonly baseMs: number;
  readonly capMs: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = Math.max(1, opts.baseMs ?? DEFAULT_BACKOFF.baseMs);
    this.capMs = Math.max(this.baseMs, opts.capMs ?? DEFAULT_BACKOFF.capMs);
    this.random = opts.random ?? Math.random;
  }

  /** the ceiling of the next delay, before jitter */
  ceiling(attempt = this.attempt): number {
    // 2^attempt overflows nothing here: the exponent is clamped long before
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(attempt, 30));
  }

  /** the next delay, ms; each call counts one more failure */
  next(): number {
    const d = this.ceiling();
    this.attempt++;
    return Math.round(d / 2 + this.random() * (d / 2));
  }

  /**
   * The delay to use when the server said how long to wait (429/503 Retry-After, seconds): the larger of that
   * and the back-off, still capped.
   */
  nextWithRetryAfter(retryAfterS: number | null): number {
    const own = this.next();
    if (retryAfterS === null || !Number.isFinite(retryAfterS) || retryAfterS <= 0) return own;
    return Math.min(this.capMs, Math.max(own, retryAfterS * 1000));
  }

  /** after a success */
  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
