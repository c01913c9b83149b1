import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { OidcTokenError, OidcVerifier, type OidcSettings } from './oidc-verifier';

/** A stand-in identity provider: discovery document and key set over real HTTP. */
class LocalIssuer {
  readonly requests: string[] = [];
  private server: Server | undefined;
  private keys: JWK[] = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.requests.push(request.url ?? '');
      if (request.url === '/.well-known/openid-configuration') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ issuer: this.url, jwks_uri: `${this.url}/keys` }));
      } else if (request.url === '/keys') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: this.keys }));
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async addKey(kid: string): Promise<KeyLike> {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    this.keys.push({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' });
    return privateKey;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

describe('OIDC bearer tokens', () => {
  const issuer = new LocalIssuer();
  let signingKey: KeyLike;

  beforeAll(async () => {
    await issuer.start();
    signingKey = await issuer.addKey('k1');
  });
  afterAll(() => issuer.close());

  const settings = (overrides: Partial<OidcSettings> = {}): OidcSettings => ({
    issuer: issuer.url,
    audience: 'hum-admin',
    rolesClaim: 'realm_access.roles',
    usernameClaim: 'preferred_username',
    ...overrides,
  });

  const token = (
    claims: Record<string, unknown>,
    options: {
      key?: KeyLike;
      kid?: string;
      issuer?: string;
      audience?: string;
      expires?: string;
    } = {},
  ): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
      .setSubject('user-123')
      .setIssuer(options.issuer ?? issuer.url)
      .setAudience(options.audience ?? 'hum-admin')
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '5m')
      .sign(options.key ?? signingKey);

  it('verifies against the discovered key set and reads name and roles', async () => {
    const verifier = new OidcVerifier(settings());
    const identity = await verifier.verify(
      await token({
        preferred_username: 'carol',
        realm_access: { roles: ['approver', 'offline_access', 'viewer'] },
      }),
    );
    expect(identity).toEqual({
      id: 'carol',
      subject: 'user-123',
      roles: new Set(['approver', 'viewer']),
    });
    expect(issuer.requests).toContain('/.well-known/openid-configuration');
    expect(issuer.requests).toContain('/keys');
  });

  it('maps group names onto roles and reads a claim whose name has dots', async () => {
    const verifier = new OidcVerifier(
      settings({
        rolesClaim: 'https://hum.dev/groups',
        usernameClaim: 'email',
        roleMapping: new Map([['sec-approvers', ['approver', 'viewer'] as const]]),
        jwksUri: `${issuer.url}/keys`,
      }),
    );
    const identity = await verifier.verify(
      await token({
        email: 'dan@example.com',
        'https://hum.dev/groups': 'staff sec-approvers admin',
      }),
    );
    expect(identity.id).toBe('dan@example.com');
    // `admin` is not in the mapping: without a mapping entry it grants nothing.
    expect(identity.roles).toEqual(new Set(['approver', 'viewer']));
  });

  it('picks up a key added after the first fetch (rotation)', async () => {
    const verifier = new OidcVerifier(settings({ refetchCooldownMs: 0 }));
    await verifier.verify(await token({ preferred_username: 'carol' }));
    const rotated = await issuer.addKey('k2');
    const identity = await verifier.verify(
      await token(
        { preferred_username: 'erin', realm_access: { roles: ['admin'] } },
        { key: rotated, kid: 'k2' },
      ),
    );
    expect(identity.roles).toEqual(new Set(['admin']));
  });

  it.each([
    ['another issuer', { issuer: 'https://evil.example' }, /iss/],
    ['another audience', { audience: 'someone-else' }, /aud/],
    ['an expired token', { expires: '-5m' }, /exp/],
  ])('refuses %s', async (_what, options, reason) => {
    const verifier = new OidcVerifier(settings());
    const error = await verifier
      .verify(await token({ preferred_username: 'carol' }, options))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OidcTokenError);
    expect((error as OidcTokenError).reason).toMatch(reason);
  });

  it('refuses a token signed by a key the issuer never published', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const verifier = new OidcVerifier(settings());
    await expect(
      verifier.verify(await token({ preferred_username: 'carol' }, { key: privateKey })),
    ).rejects.toBeInstanceOf(OidcTokenError);
  });

  it('refuses a shared-secret token and an unsigned one', async () => {
    const verifier = new OidcVerifier(settings());
    const hs = await new SignJWT({ preferred_username: 'carol' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('x')
      .setIssuer(issuer.url)
      .setAudience('hum-admin')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a'.repeat(32)));
    await expect(verifier.verify(hs)).rejects.toBeInstanceOf(OidcTokenError);
    const [header, body] = hs.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${body}.`;
    await expect(verifier.verify(none)).rejects.toBeInstanceOf(OidcTokenError);
    expect(header).toBeDefined();
  });

  it('refuses a token without the name claim', async () => {
    const verifier = new OidcVerifier(settings());
    await expect(
      verifier.verify(await token({ realm_access: { roles: ['admin'] } })),
    ).rejects.toThrow(/preferred_username/);
  });
});
