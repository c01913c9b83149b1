import { ManualClock } from '@hum/common';
import { generateApiKey, parseApiKeyToken, type ApiKeyRecord } from './api-key';
import { keyCoversAsset, verifyApiKey } from './api-key-verifier';
import { ApiKeyFileError, StaticApiKeyStore } from './file-key-store';
import { matchesGlob } from './glob';

function record(hash: string, id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    name: 'payments pipeline',
    hash,
    permissions: ['scans:publish'],
    assets: ['payments-*'],
    teams: [],
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('API keys', () => {
  const clock = new ManualClock('2026-06-01T00:00:00Z');

  it('generates keys whose token parses back and verifies against the stored hash only', async () => {
    const key = generateApiKey();
    expect(parseApiKeyToken(key.token)).toEqual({ id: key.id, secret: expect.any(String) });
    expect(key.token).not.toContain(key.hash);
    const store = new StaticApiKeyStore([record(key.hash, key.id)]);
    const check = await verifyApiKey(key.token, store, clock);
    expect(check).toMatchObject({
      ok: true,
      principal: { keyId: key.id, permissions: ['scans:publish'] },
    });
    expect(store.lastUsedAt(key.id)).toEqual(clock.now());
  });

  it.each([
    ['malformed', () => 'Bearer nonsense'],
    ['unknown', () => generateApiKey().token],
  ])('rejects a %s key', async (reason, token) => {
    const key = generateApiKey();
    const store = new StaticApiKeyStore([record(key.hash, key.id)]);
    expect(await verifyApiKey(token(), store, clock)).toEqual({ ok: false, reason });
  });

  it('rejects a key whose secret does not match, a revoked key and an expired key', async () => {
    const a = generateApiKey();
    const b = generateApiKey();
    const c = generateApiKey();
    const store = new StaticApiKeyStore([
      record(a.hash, a.id),
      record(b.hash, b.id, { revokedAt: '2026-05-01T00:00:00Z' }),
      record(c.hash, c.id, { expiresAt: '2026-05-31T23:59:59Z' }),
    ]);
    const forged = a.token.slice(0, -1) + (a.token.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(forged, store, clock)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifyApiKey(b.token, store, clock)).toEqual({ ok: false, reason: 'revoked' });
    expect(await verifyApiKey(c.token, store, clock)).toEqual({ ok: false, reason: 'expired' });
  });

  it('scopes keys to asset globs and teams', () => {
    const principal = {
      kind: 'api-key' as const,
      keyId: 'x',
      name: 'x',
      permissions: ['scans:publish' as const],
      assets: ['payments-*', 'ledger'],
      teams: ['payments'],
    };
    expect(keyCoversAsset(principal, 'payments-api', 'payments')).toBe(true);
    expect(keyCoversAsset(principal, 'ledger', 'payments')).toBe(true);
    expect(keyCoversAsset(principal, 'ledger-v2', 'payments')).toBe(false);
    expect(keyCoversAsset(principal, 'payments-api', 'cards')).toBe(false);
    expect(keyCoversAsset(principal, 'payments-api', undefined)).toBe(false);
    expect(keyCoversAsset({ ...principal, teams: [] }, 'payments-api', undefined)).toBe(true);
  });

  it('treats glob metacharacters other than * and ? literally', () => {
    expect(matchesGlob('a.b', 'a.b')).toBe(true);
    expect(matchesGlob('axb', 'a.b')).toBe(false);
    expect(matchesGlob('team/app-1', 'team/*')).toBe(true);
    expect(matchesGlob('app-12', 'app-?')).toBe(false);
  });

  it('loads a key file and names the bad field', () => {
    const key = generateApiKey();
    const store = StaticApiKeyStore.fromText(
      `keys:\n  - id: ${key.id}\n    name: ci\n    hash: ${key.hash}\n    permissions: [scans:publish]\n    assets: ['*']\n    teams: []\n    createdAt: '2026-01-01T00:00:00Z'\n`,
      'keys.yaml',
    );
    expect(store).toBeInstanceOf(StaticApiKeyStore);
    expect(() => StaticApiKeyStore.fromText('keys:\n  - id: short\n', 'keys.yaml')).toThrow(
      ApiKeyFileError,
    );
    expect(() => StaticApiKeyStore.fromText('keys:\n  - id: short\n', 'keys.yaml')).toThrow(
      /keys.yaml: \/keys\/0\//,
    );
  });
});
