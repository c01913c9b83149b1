import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { type Clock, TokenBucket } from '@hum/common';
import type { ApiKeyPrincipal } from '@hum/auth';
import { ProblemException } from '@hum/runtime';
import { GATEWAY_CLOCK, GATEWAY_CONFIG, type GatewayLimits } from '../tokens';

/**
 * Per API key token bucket (per gateway instance): a runaway pipeline loop gets 429 with
 * Retry-After instead of flooding the classifier.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly limits: GatewayLimits,
    @Inject(GATEWAY_CLOCK) private readonly clock: Clock,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const principal = context
      .switchToHttp()
      .getRequest<{ principal?: ApiKeyPrincipal }>().principal;
    if (!principal) return true;
    let bucket = this.buckets.get(principal.keyId);
    if (!bucket) {
      bucket = new TokenBucket(
        { ratePerSecond: this.limits.ratePerMinute / 60, capacity: this.limits.rateBurst },
        this.clock,
      );
      this.buckets.set(principal.keyId, bucket);
    }
    const taken = bucket.take();
    if (taken.ok) return true;
    const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    throw new ProblemException({
      status: 429,
      code: 'rate-limited',
      title: 'Too many reports',
      detail: `this API key may publish ${this.limits.ratePerMinute} reports per minute; retry in ${seconds} s`,
      headers: { 'Retry-After': String(seconds) },
    });
  }
}
