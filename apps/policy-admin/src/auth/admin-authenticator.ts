import { Inject, Injectable } from '@nestjs/common';
import {
  API_KEY_STORE,
  type ApiKeyStore,
  type AuthenticationResult,
  type Authenticator,
  type HttpRequestLike,
  looksLikeJwt,
  OidcTokenError,
  OidcVerifier,
  SessionTokens,
  verifyApiKey,
} from '@hum/auth';
import type { Clock } from '@hum/common';
import { LOGGER, type Logger } from '@hum/observability';
import { ADMIN_CLOCK } from '../tokens';
import { SESSION_COOKIE, SessionsService } from './sessions.service';

export const OIDC_VERIFIER = Symbol('admin.oidc-verifier');

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Who is calling: a local session (cookie, or bearer token for API clients), an OIDC bearer
 * JWT, or a pipeline API key (which no route here accepts, but is told so precisely). The
 * reason a credential failed goes to the log, never to the caller.
 */
@Injectable()
export class AdminAuthenticator implements Authenticator {
  private readonly log: Logger;

  constructor(
    private readonly sessions: SessionsService,
    @Inject(OIDC_VERIFIER) private readonly oidc: OidcVerifier | null,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ context: AdminAuthenticator.name });
  }

  async authenticate(request: HttpRequestLike): Promise<AuthenticationResult> {
    const authorization = single(request.headers['authorization']);
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match) return this.invalid('an Authorization header other than Bearer');
      return this.bearer(match[1]!);
    }
    const cookie = readCookie(single(request.headers['cookie']), SESSION_COOKIE);
    if (cookie !== undefined) {
      const principal = await this.sessions.resolve(cookie, 'session-cookie');
      return principal
        ? { ok: true, principal }
        : this.invalid('an unknown, expired or revoked session cookie');
    }
    return {
      ok: false,
      reason: 'missing',
      detail: 'log in first (POST /v1/auth/login), or send Authorization: Bearer <token>',
    };
  }

  private async bearer(token: string): Promise<AuthenticationResult> {
    if (SessionTokens.looksLikeSessionToken(token)) {
      const principal = await this.sessions.resolve(token, 'session-bearer');
      return principal
        ? { ok: true, principal }
        : this.invalid('an unknown, expired or revoked session token');
    }
    if (token.startsWith('hum_')) {
      const check = await verifyApiKey(token, this.keys, this.clock);
      if (!check.ok) return this.invalid(`an API key (${check.reason})`);
      return { ok: true, principal: check.principal };
    }
    if (this.oidc !== null && looksLikeJwt(token)) {
      try {
        const identity = await this.oidc.verify(token);
        return {
          ok: true,
          principal: {
            kind: 'person',
            id: identity.id,
            roles: identity.roles,
            source: 'oidc',
            via: 'oidc-bearer',
          },
        };
      } catch (error) {
        if (!(error instanceof OidcTokenError)) throw error;
        return this.invalid(`an OIDC token (${error.reason})`);
      }
    }
    return this.invalid('a bearer token of no known kind');
  }

  private invalid(what: string): AuthenticationResult {
    this.log.info({ credential: what }, 'credentials refused');
    return {
      ok: false,
      reason: 'invalid',
      detail: 'the credentials are not valid (expired or revoked?)',
    };
  }
}
