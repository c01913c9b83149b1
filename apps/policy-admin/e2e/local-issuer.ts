import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

/** A stand-in OpenID Connect provider: discovery document and key set over real HTTP. */
export class LocalIssuer {
  private server: Server | undefined;
  private readonly keys: JWK[] = [];
  private signingKey: KeyLike | undefined;
  url = '';

  async start(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    this.keys.push({ ...(await exportJWK(publicKey)), kid: 'spec-1', alg: 'RS256', use: 'sig' });
    this.signingKey = privateKey;
    this.server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration')
        response.end(JSON.stringify({ issuer: this.url, jwks_uri: `${this.url}/jwks` }));
      else if (request.url === '/jwks') response.end(JSON.stringify({ keys: this.keys }));
      else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  token(name: string, roles: string[], options: { audience?: string } = {}): Promise<string> {
    return new SignJWT({ preferred_username: name, groups: roles })
      .setProtectedHeader({ alg: 'RS256', kid: 'spec-1' })
      .setSubject(`sub-${name}`)
      .setIssuer(this.url)
      .setAudience(options.audience ?? 'hum-admin')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(this.signingKey!);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
