import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { bearerMatches } from '@hum/observability';
import { ProblemException } from '@hum/runtime';
import type { PatcherConfig } from '../config';
import { PATCHER_CONFIG } from '../tokens';

/** Operator endpoints (pauses, resume) need the operator bearer token; nothing is anonymous. */
@Injectable()
export class OperatorTokenGuard implements CanActivate {
  constructor(@Inject(PATCHER_CONFIG) private readonly config: PatcherConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>();
    if (bearerMatches(request.headers['authorization'], this.config.PATCHER_OPERATOR_TOKEN))
      return true;
    throw new ProblemException({
      status: 401,
      code: 'operator-token-required',
      title: 'Unauthorized',
      detail: 'this endpoint needs the operator bearer token (PATCHER_OPERATOR_TOKEN)',
      headers: { 'www-authenticate': 'Bearer realm="hum auto-patcher"' },
    });
  }
}
