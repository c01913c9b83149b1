import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';

export const OPS_TOKEN = Symbol('hum.ops-token');

/** Anything that can hand over a secret value on purpose (libs/config's Secret). */
export interface RevealableSecret {
  reveal(): string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of a presented bearer token with the expected one. */
export function bearerMatches(header: string | undefined, expected: RevealableSecret): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), digest(expected.reveal()));
}

/**
 * Guards /health and /metrics: nothing is served unauthenticated, probes and Prometheus
 * present the ops token as a bearer token.
 */
@Injectable()
export class OpsTokenGuard implements CanActivate {
  constructor(@Inject(OPS_TOKEN) private readonly token: RevealableSecret) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>();
    if (bearerMatches(request.headers['authorization'], this.token)) return true;
    throw new UnauthorizedException('a valid ops bearer token is required');
  }
}
