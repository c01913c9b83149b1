import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { ApiKeyStateV1 } from '@hum/contracts';

/**
 * Pipeline API keys look like `hum_<id>_<secret>`: the id finds the record, the secret (32
 * random bytes) is checked against its SHA-256. A salted slow hash adds nothing for a
 * 256-bit random secret, and a fast one keeps per-request verification cheap.
 */
export const API_KEY_PREFIX = 'hum';
const TOKEN_RE = /^hum_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export { API_KEY_PERMISSIONS, type ApiKeyPermission } from '@hum/contracts';

/**
 * A key record as a store holds it: the published ApiKeyStateV1, where who created it and the
 * record's version may be absent in a hand-written bootstrap file.
 */
export const ApiKeyRecord = ApiKeyStateV1.extend({
  createdBy: ApiKeyStateV1.shape.createdBy.optional(),
  version: ApiKeyStateV1.shape.version.optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

export interface GeneratedApiKey {
  id: string;
  /** Shown once to whoever created the key; never stored. */
  token: string;
  hash: string;
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${API_KEY_PREFIX}_${id}_${secret}`, hash: hashApiKeySecret(secret) };
}

export function parseApiKeyToken(token: string): { id: string; secret: string } | undefined {
  const match = TOKEN_RE.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function secretMatches(secret: string, hash: string): boolean {
  const presented = Buffer.from(hashApiKeySecret(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
