import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Clock } from '@hum/common';
import type { Logger } from '@hum/observability';
import { ProblemException } from '@hum/runtime';
import type { ApiKeyPermission } from '../api-key';
import { type ApiKeyPrincipal, type ApiKeyStore, verifyApiKey } from '../api-key-verifier';

export const API_KEY_STORE = Symbol('hum.auth.api-key-store');
export const AUTH_CLOCK = Symbol('hum.auth.clock');
export const AUTH_LOGGER = Symbol('hum.auth.logger');
const PERMISSION = 'hum:auth:api-key-permission';

/** The permission a route needs from the presented API key. */
export const RequireApiKeyPermission = (
  permission: ApiKeyPermission,
): MethodDecorator & ClassDecorator => SetMetadata(PERMISSION, permission);

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: ApiKeyPrincipal;
}

function unauthenticated(detail: string): ProblemException {
  return new ProblemException({
    status: 401,
    code: 'unauthenticated',
    title: 'Unauthenticated',
    detail,
    headers: { 'WWW-Authenticate': 'Bearer realm="hum"' },
  });
}

function presentedKey(headers: AuthenticatedRequest['headers']): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * Authenticates pipeline API keys (`Authorization: Bearer hum_...` or `X-Api-Key`) and checks
 * the route's permission. Callers learn only "invalid key"; the reason goes to the log.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(API_KEY_STORE) private readonly store: ApiKeyStore,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_LOGGER) private readonly logger: Logger,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = presentedKey(request.headers);
    if (token === undefined)
      throw unauthenticated('an API key is required (Authorization: Bearer hum_...)');
    const check = await verifyApiKey(token, this.store, this.clock);
    if (!check.ok) {
      this.logger.warn({ reason: check.reason }, 'API key rejected');
      throw unauthenticated('the API key is not valid');
    }
    const needed = this.reflector.getAllAndOverride<ApiKeyPermission | undefined>(PERMISSION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (needed !== undefined && !check.principal.permissions.includes(needed)) {
      throw new ProblemException({
        status: 403,
        code: 'forbidden',
        title: 'Forbidden',
        detail: `the API key lacks the ${needed} permission`,
      });
    }
    request.principal = check.principal;
    return true;
  }
}
