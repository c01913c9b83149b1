import type { Clock } from './clock';

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens held at once: the burst allowed after a quiet period. */
  capacity: number;
}

/**
 * A token bucket: the one rate limiter (per API key at the gateway, per ticket site in the
 * dispatcher). `take()` says whether a token was available and, if not, how long to wait.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly clock: Clock,
  ) {
    if (options.ratePerSecond <= 0 || options.capacity < 1)
      throw new Error('rate must be > 0 and capacity >= 1');
    this.tokens = options.capacity;
    this.updatedAt = clock.now().getTime();
  }

  take(count = 1): { ok: true } | { ok: false; retryAfterMs: number } {
    this.refill();
    if (this.tokens >= count) {
      this.tokens -= count;
      return { ok: true };
    }
    const missing = count - this.tokens;
    return { ok: false, retryAfterMs: Math.ceil((missing / this.options.ratePerSecond) * 1000) };
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(
      this.options.capacity,
      this.tokens + elapsed * this.options.ratePerSecond,
    );
    this.updatedAt = now;
  }
}
