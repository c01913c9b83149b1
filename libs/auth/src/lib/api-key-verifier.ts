import type { Clock } from '@hum/common';
import {
  type ApiKeyPermission,
  type ApiKeyRecord,
  parseApiKeyToken,
  secretMatches,
} from './api-key';
import { matchesAnyGlob } from './glob';

/** Where key records live: a file for bootstrap, policy-admin's published state in production. */
export interface ApiKeyStore {
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Records last use; best effort, never blocks the request. */
  touch?(id: string, at: Date): void;
}

export interface ApiKeyPrincipal {
  kind: 'api-key';
  keyId: string;
  name: string;
  permissions: readonly ApiKeyPermission[];
  assets: readonly string[];
  teams: readonly string[];
}

export type ApiKeyCheck =
  | { ok: true; principal: ApiKeyPrincipal }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'mismatch' };

/** Verifies a presented key; the reason is for logs and audit, never for the caller. */
export async function verifyApiKey(
  token: string,
  store: ApiKeyStore,
  clock: Clock,
): Promise<ApiKeyCheck> {
  const parsed = parseApiKeyToken(token);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const record = await store.get(parsed.id);
  if (!record) return { ok: false, reason: 'unknown' };
  if (!secretMatches(parsed.secret, record.hash)) return { ok: false, reason: 'mismatch' };
  const now = clock.now();
  if (record.revokedAt !== undefined && new Date(record.revokedAt) <= now)
    return { ok: false, reason: 'revoked' };
  if (record.expiresAt !== undefined && new Date(record.expiresAt) <= now)
    return { ok: false, reason: 'expired' };
  store.touch?.(record.id, now);
  return {
    ok: true,
    principal: {
      kind: 'api-key',
      keyId: record.id,
      name: record.name,
      permissions: record.permissions,
      assets: record.assets,
      teams: record.teams,
    },
  };
}

/** Whether a key may publish for this asset (and team, when the key is team-scoped). */
export function keyCoversAsset(
  principal: ApiKeyPrincipal,
  assetId: string,
  team: string | undefined,
): boolean {
  if (!matchesAnyGlob(assetId, principal.assets)) return false;
  if (principal.teams.length === 0) return true;
  return team !== undefined && principal.teams.includes(team);
}
