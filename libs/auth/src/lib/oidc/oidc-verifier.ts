import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { type Role, parseRoles } from '../rbac/roles';

export interface OidcSettings {
  /** The `iss` every token must carry, exactly. */
  issuer: string;
  /** The `aud` every token must include: this deployment's client id or API identifier. */
  audience: string;
  /** The key set; without it, `jwks_uri` from the issuer's discovery document. */
  jwksUri?: string;
  /**
   * Where the roles are: a claim name (`roles`, `https://hum.dev/roles`) or a dotted path into
   * nested claims (`realm_access.roles`). Its value is a list, or a space/comma separated text.
   */
  rolesClaim: string;
  /** The claim naming the person in proposals and audit entries (`preferred_username`, `email`). */
  usernameClaim: string;
  /**
   * Claim values to hum roles (`hum-approvers` -> approver). Without a mapping the values are
   * read as role names; unknown ones are ignored either way.
   */
  roleMapping?: ReadonlyMap<string, readonly Role[]>;
  /** Asymmetric algorithms only: a shared-secret (HS*) or `none` token is never accepted. */
  algorithms?: readonly string[];
  clockToleranceSeconds?: number;
  /** Bound on fetching discovery and keys. */
  timeoutMs?: number;
  /**
   * The least time between two fetches of the key set: a token with an unknown `kid` triggers
   * a refetch (key rotation), but a flood of forged kids cannot hammer the issuer. Default 30 s.
   */
  refetchCooldownMs?: number;
}

export interface OidcIdentity {
  id: string;
  subject: string;
  roles: Set<Role>;
}

export class OidcTokenError extends Error {
  override readonly name = 'OidcTokenError';

  constructor(
    /** For logs; callers answer only "invalid token". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** A JWT: three base64url segments. Session tokens and API keys never look like this. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let node: unknown = payload;
  for (const segment of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((v) => v.length > 0);
  return [];
}

/**
 * Verifies bearer JWTs from the organisation's OpenID Connect provider against its published
 * keys (fetched once, refreshed when an unknown `kid` appears), and reads who the person is
 * and which hum roles they hold.
 */
export class OidcVerifier {
  private keySet: ReturnType<typeof createRemoteJWKSet> | undefined;
  private discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  async verify(token: string): Promise<OidcIdentity> {
    if (!looksLikeJwt(token)) throw new OidcTokenError('not a JWT');
    const keys = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: [...(this.settings.algorithms ?? DEFAULT_ALGORITHMS)],
        clockTolerance: this.settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError)
        throw new OidcTokenError(`${error.code}: ${error.message}`, { cause: error });
      throw error;
    }
    const name = claimAt(payload, this.settings.usernameClaim);
    if (typeof name !== 'string' || name.length === 0 || name.length > 200)
      throw new OidcTokenError(`claim ${this.settings.usernameClaim} is missing or not a name`);
    const values = claimValues(claimAt(payload, this.settings.rolesClaim));
    const mapping = this.settings.roleMapping;
    const roles =
      mapping === undefined
        ? parseRoles(values)
        : parseRoles(values.flatMap((v) => mapping.get(v) ?? []));
    return { id: name, subject: payload.sub!, roles };
  }

  private async keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.keySet) return this.keySet;
    this.discovering ??= this.locateKeys().catch((error: unknown) => {
      // A failed discovery is retried by the next request, not cached.
      this.discovering = undefined;
      throw error;
    });
    this.keySet = await this.discovering;
    return this.keySet;
  }

  private async locateKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const timeoutDuration = this.settings.timeoutMs ?? 5_000;
    let uri = this.settings.jwksUri;
    if (uri === undefined) {
      const discovery = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      let document: unknown;
      try {
        const response = await fetch(discovery, { signal: AbortSignal.timeout(timeoutDuration) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        document = await response.json();
      } catch (error) {
        throw new OidcTokenError(`cannot read ${discovery}`, { cause: error });
      }
      const found = (document as { jwks_uri?: unknown }).jwks_uri;
      if (typeof found !== 'string') throw new OidcTokenError(`${discovery} names no jwks_uri`);
      uri = found;
    }
    return createRemoteJWKSet(new URL(uri), {
      timeoutDuration,
      cooldownDuration: this.settings.refetchCooldownMs ?? 30_000,
    });
  }
}
