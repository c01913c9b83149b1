import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '@hum/runtime';
import { holdsAnyRole, type Principal, type Role } from './roles';

export const AUTHENTICATOR = Symbol('hum.auth.authenticator');
export const ACCESS_DENIALS = Symbol('hum.auth.access-denials');
const ROLES_METADATA = 'hum:auth:roles';

export interface HttpRequestLike {
  method: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export type AuthenticationResult =
  { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'invalid'; detail: string };

/** Turns a request's credentials (cookie, bearer token, API key) into a principal. */
export interface Authenticator {
  authenticate(request: HttpRequestLike): Promise<AuthenticationResult>;
}

export type DenialReason = 'role' | 'csrf' | 'api-key';

/** Told about authenticated requests refused for lack of a role or a CSRF token (audit). */
export interface AccessDenials {
  denied(
    principal: Principal,
    request: HttpRequestLike,
    reason: DenialReason,
    detail: string,
  ): Promise<void>;
}

/**
 * The roles a route needs (any one of them); with none named, any authenticated person.
 * Routes without it are refused to everyone: deny by default.
 */
export const RequireRoles = (...roles: readonly Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_METADATA, roles);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function header(request: HttpRequestLike, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function unauthenticated(detail: string): ProblemException {
  return new ProblemException({
    status: 401,
    code: 'unauthenticated',
    title: 'Unauthenticated',
    detail,
    headers: { 'WWW-Authenticate': 'Bearer realm="hum"' },
  });
}

export function forbidden(code: string, detail: string): ProblemException {
  return new ProblemException({ status: 403, code, title: 'Forbidden', detail });
}

/**
 * Authenticates every request of the controllers it guards, checks the CSRF token of
 * cookie-authenticated state-changing requests, and the route's roles. A route without
 * {@link RequireRoles} is refused to everyone, so a forgotten annotation fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
    @Optional() @Inject(ACCESS_DENIALS) private readonly denials?: AccessDenials,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HttpRequestLike>();
    const result = await this.authenticator.authenticate(request);
    if (!result.ok) throw unauthenticated(result.detail);
    const principal = result.principal;
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<readonly Role[] | undefined>(ROLES_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (principal.kind === 'api-key') {
      await this.deny(principal, request, 'api-key', 'pipeline API keys may only publish scans');
      throw forbidden('api-key-not-allowed', 'pipeline API keys may only publish scans');
    }
    if (!SAFE_METHODS.has(request.method.toUpperCase()) && principal.via === 'session-cookie') {
      const presented = header(request, 'x-csrf-token');
      const expected = principal.csrfToken;
      if (
        presented === undefined ||
        expected === undefined ||
        !timingSafeEqual(digest(presented), digest(expected))
      ) {
        await this.deny(principal, request, 'csrf', 'missing or wrong X-CSRF-Token');
        throw forbidden(
          'csrf',
          'a state-changing request with a session cookie needs the X-CSRF-Token header from the login response',
        );
      }
    }
    if (roles === undefined || (roles.length > 0 && !holdsAnyRole(principal, roles))) {
      const needed = roles === undefined ? 'a role nobody holds' : roles.join(' or ');
      const detail = `${principal.id} needs ${needed}; holds ${[...principal.roles].join(', ') || 'no role'}`;
      await this.deny(principal, request, 'role', detail);
      throw forbidden('forbidden', detail);
    }
    return true;
  }

  private async deny(
    principal: Principal,
    request: HttpRequestLike,
    reason: DenialReason,
    detail: string,
  ): Promise<void> {
    // Reads refused are not decisions; only refused changes are worth an audit entry.
    if (SAFE_METHODS.has(request.method.toUpperCase())) return;
    await this.denials?.denied(principal, request, reason, detail);
  }
}
