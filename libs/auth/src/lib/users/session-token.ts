import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens are `hs1.<session id>.<mac>`: the id names a server-side session row (so a
 * logout or a disabled user ends it at once), the HMAC makes ids unguessable and unforgeable
 * without the key. The CSRF token is derived from the same key and id, so it needs no storage
 * and is worthless for any other session.
 */
export const SESSION_TOKEN_PREFIX = 'hs1';
const ID_RE = /^[A-Za-z0-9_-]{22}$/;

export class SessionTokens {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('the session signing key needs at least 32 bytes');
    this.key = key;
  }

  static newId(): string {
    return randomBytes(16).toString('base64url');
  }

  /** A fresh random key, for a deployment that did not configure one. */
  static newKey(): Buffer {
    return randomBytes(32);
  }

  token(sessionId: string): string {
    return `${SESSION_TOKEN_PREFIX}.${sessionId}.${this.mac('session', sessionId)}`;
  }

  /** The session id of a well-formed, correctly signed token; undefined for anything else. */
  verify(token: string): string | undefined {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== SESSION_TOKEN_PREFIX) return undefined;
    const [, id, mac] = parts as [string, string, string];
    if (!ID_RE.test(id)) return undefined;
    const expected = Buffer.from(this.mac('session', id));
    const presented = Buffer.from(mac);
    return presented.length === expected.length && timingSafeEqual(presented, expected)
      ? id
      : undefined;
  }

  csrfToken(sessionId: string): string {
    return this.mac('csrf', sessionId);
  }

  static looksLikeSessionToken(token: string): boolean {
    return token.startsWith(`${SESSION_TOKEN_PREFIX}.`);
  }

  private mac(purpose: string, id: string): string {
    return createHmac('sha256', this.key).update(`${purpose}:${id}`).digest('base64url');
  }
}
