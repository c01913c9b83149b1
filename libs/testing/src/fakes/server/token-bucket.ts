export type TakeResult =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * The classic token bucket: `capacity` requests may arrive at once, then one more every
 * 1/ratePerSecond seconds. Time comes from the caller so specs can move it by hand.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly nowMs: () => number,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
    this.tokens = capacity;
    this.lastRefillMs = nowMs();
  }

  tryTake(): TakeResult {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, remaining: Math.floor(this.tokens) };
    }
    const missing = 1 - this.tokens;
    return { allowed: false, retryAfterMs: Math.ceil((missing / this.ratePerSecond) * 1000) };
  }

  private refill(): void {
    const now = this.nowMs();
    const elapsedMs = Math.max(0, now - this.lastRefillMs);
    this.lastRefillMs = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1000) * this.ratePerSecond);
  }
}
