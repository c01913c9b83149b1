import { type Clock, sleep, systemClock, TokenBucket } from '@hum/common';

export interface RateLimitOptions {
  /** Requests per second allowed to the site. */
  readonly requestsPerSecond: number;
  /** Requests allowed back to back after a quiet spell; 1 spaces them evenly. */
  readonly burst: number;
}

/**
 * A per-site request rate shared by every worker of the instance: callers wait their turn in
 * arrival order, and a server's Retry-After pauses the whole site, not only the request that
 * received it.
 */
export class RateLimiter {
  private readonly bucket: TokenBucket;
  private queue: Promise<void> = Promise.resolve();
  private pausedUntil = 0;

  constructor(
    readonly options: RateLimitOptions,
    private readonly clock: Clock = systemClock,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
  ) {
    this.bucket = new TokenBucket(
      { ratePerSecond: options.requestsPerSecond, capacity: Math.max(1, options.burst) },
      clock,
    );
  }

  /** Resolves when this caller may send one request. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeToken(signal));
    // A caller that gave up (aborted) must not block the ones queued behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The server asked everyone to wait (429 Retry-After): no request leaves before then. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now().getTime() + ms);
  }

  private async takeToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const paused = this.pausedUntil - this.clock.now().getTime();
      if (paused > 0) {
        await this.wait(paused, signal);
        continue;
      }
      const taken = this.bucket.take();
      if (taken.ok) return;
      await this.wait(Math.max(1, taken.retryAfterMs), signal);
    }
  }
}

/** One limiter per site (base URL), however many providers or workers talk to it. */
export class RateLimiterRegistry {
  private readonly limiters = new Map<string, RateLimiter>();

  constructor(
    private readonly defaults: RateLimitOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  forSite(site: string, options: RateLimitOptions = this.defaults): RateLimiter {
    const key = new URL(site).origin;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiter(options, this.clock);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}
