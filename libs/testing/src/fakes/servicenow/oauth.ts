import type { Clock } from '@hum/common';
import { randomSecret, secretEquals } from '../server/credentials';
import { jsonResponse, type FakeResponse } from '../server/http-types';

export interface ServiceNowUser {
  readonly userName: string;
  readonly password: string;
  readonly sysId: string;
  readonly name: string;
}

export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The "OAuth Application User" a client_credentials token acts as. */
  readonly userName: string;
}

interface IssuedToken {
  readonly userName: string;
  readonly clientId: string;
  readonly expiresAt: number;
}

/** ServiceNow's answer to any failed token request, whatever the cause. */
const ACCESS_DENIED = jsonResponse(401, {
  error_description: 'access_denied',
  error: 'server_error',
});

/**
 * `/oauth_token.do`: password, client_credentials and refresh_token grants; bearer tokens
 * that expire after `accessTokenTtlSeconds` on the fake's clock.
 */
export class OAuthIssuer {
  private accessTokens = new Map<string, IssuedToken>();
  private refreshTokens = new Map<string, IssuedToken>();

  constructor(
    private readonly clients: readonly OAuthClient[],
    private readonly users: readonly ServiceNowUser[],
    private readonly clock: Clock,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  /** Issued tokens, so the request journal can redact them. */
  secrets(): string[] {
    return [...this.accessTokens.keys(), ...this.refreshTokens.keys()];
  }

  userForToken(token: string): ServiceNowUser | undefined {
    const issued = this.accessTokens.get(token);
    if (!issued || issued.expiresAt <= this.clock.now().getTime()) return undefined;
    return this.users.find((user) => user.userName === issued.userName);
  }

  /** Every token issued so far stops working, as after an instance-side revocation. */
  expireAll(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  token(form: Record<string, string>, credentialsInUrl: boolean): FakeResponse {
    // Credentials in the query string instead of the form body are refused outright.
    if (credentialsInUrl) return ACCESS_DENIED;
    const client = this.clients.find(
      (candidate) =>
        candidate.clientId === form['client_id'] &&
        form['client_secret'] !== undefined &&
        secretEquals(form['client_secret'], candidate.clientSecret),
    );
    const grantType: string = form['grant_type'] ?? '';
    switch (grantType) {
      case 'password': {
        const user = this.users.find(
          (candidate) =>
            candidate.userName === form['username'] &&
            form['password'] !== undefined &&
            secretEquals(form['password'], candidate.password),
        );
        if (!client || !user) return ACCESS_DENIED;
        return this.issue(client, user.userName, true);
      }
      case 'client_credentials':
        if (!client) return ACCESS_DENIED;
        return this.issue(client, client.userName, false);
      case 'refresh_token': {
        const previous =
          form['refresh_token'] === undefined
            ? undefined
            : this.refreshTokens.get(form['refresh_token']);
        if (!client || !previous || previous.clientId !== client.clientId) return ACCESS_DENIED;
        return this.issue(client, previous.userName, true);
      }
      default:
        return jsonResponse(400, {
          error_description: `Unsupported grant_type ${grantType}`.trim(),
          error: 'unsupported_grant_type',
        });
    }
  }

  private issue(client: OAuthClient, userName: string, withRefresh: boolean): FakeResponse {
    const now = this.clock.now().getTime();
    const accessToken = randomSecret(48);
    this.accessTokens.set(accessToken, {
      userName,
      clientId: client.clientId,
      expiresAt: now + this.accessTokenTtlSeconds * 1000,
    });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      scope: 'useraccount',
      token_type: 'Bearer',
      // The platform reports one second less than the configured lifespan.
      expires_in: this.accessTokenTtlSeconds - 1,
    };
    if (withRefresh) {
      const refreshToken = randomSecret(48);
      this.refreshTokens.set(refreshToken, {
        userName,
        clientId: client.clientId,
        expiresAt: Number.POSITIVE_INFINITY,
      });
      body['refresh_token'] = refreshToken;
    }
    return jsonResponse(200, body);
  }
}
