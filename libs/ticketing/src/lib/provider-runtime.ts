import type { BackoffPolicy, Clock } from '@hum/common';
import type { CircuitBreaker } from './http/circuit-breaker';
import type { RateLimiter } from './http/rate-limiter';

/** What every provider needs besides its own settings: the shared rate limit and breaker. */
export interface ProviderRuntime {
  /** The site's limiter, shared by every worker of the instance talking to that site. */
  readonly limiter: RateLimiter;
  /** This provider's breaker. */
  readonly breaker: CircuitBreaker;
  readonly timeoutMs: number;
  readonly retry?: Partial<BackoffPolicy>;
  readonly clock?: Clock;
}

/** Something that can hand over a secret on purpose (libs/config's Secret). */
export interface RevealableSecret {
  reveal(): string;
}
