import { type Clock, PermanentError } from '@hum/common';
import type { HttpTransport } from '../http/http-transport';
import type { RevealableSecret } from '../provider-runtime';

export type ServiceNowAuth =
  | { readonly kind: 'basic'; readonly username: string; readonly password: RevealableSecret }
  | {
      readonly kind: 'oauth';
      readonly clientId: string;
      readonly clientSecret: RevealableSecret;
      /** With a user and password: the password grant; without: client_credentials. */
      readonly username?: string;
      readonly password?: RevealableSecret;
    };

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
}

// Renew a minute early: a token that expires between send and arrival is a wasted request.
const EARLY_RENEWAL_MS = 60_000;

/**
 * Basic credentials or an OAuth bearer token from `/oauth_token.do`, renewed before it
 * expires (or when the instance answers 401), with the refresh token when there is one.
 * Secrets travel only in the Authorization header or the token request's form body.
 */
export class ServiceNowCredentials {
  private token: { access: string; refresh: string | undefined; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly auth: ServiceNowAuth,
    private readonly tokenTransport: HttpTransport,
    private readonly clock: Clock,
  ) {}

  async headers(): Promise<Record<string, string>> {
    if (this.auth.kind === 'basic') {
      const basic = Buffer.from(`${this.auth.username}:${this.auth.password.reveal()}`).toString(
        'base64',
      );
      return { authorization: `Basic ${basic}` };
    }
    return { authorization: `Bearer ${await this.accessToken()}` };
  }

  /** After a 401: forget the token so the next request fetches a new one. */
  renew(): Promise<boolean> {
    if (this.auth.kind === 'basic') return Promise.resolve(false);
    this.token = this.token && { ...this.token, expiresAt: 0 };
    return Promise.resolve(true);
  }

  private accessToken(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.token && this.token.expiresAt > now) return Promise.resolve(this.token.access);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const auth = this.auth as Extract<ServiceNowAuth, { kind: 'oauth' }>;
    const base = { client_id: auth.clientId, client_secret: auth.clientSecret.reveal() };
    const refresh = this.token?.refresh;
    let form: Record<string, string>;
    if (refresh !== undefined)
      form = { ...base, grant_type: 'refresh_token', refresh_token: refresh };
    else if (auth.username !== undefined && auth.password !== undefined)
      form = {
        ...base,
        grant_type: 'password',
        username: auth.username,
        password: auth.password.reveal(),
      };
    else form = { ...base, grant_type: 'client_credentials' };
    let answer: TokenAnswer;
    try {
      answer = (
        await this.tokenTransport.request<TokenAnswer>({
          method: 'POST',
          path: '/oauth_token.do',
          form,
          idempotent: true,
        })
      ).data;
    } catch (error) {
      if (refresh === undefined) throw error;
      // A revoked refresh token: start over with the primary grant.
      this.token = undefined;
      return this.fetchToken();
    }
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new PermanentError('ServiceNow token endpoint answered without an access_token');
    }
    const lifetimeMs = Math.max(0, (answer.expires_in ?? 1_800) * 1000 - EARLY_RENEWAL_MS);
    this.token = {
      access: answer.access_token,
      refresh: answer.refresh_token ?? refresh,
      expiresAt: this.clock.now().getTime() + lifetimeMs,
    };
    return this.token.access;
  }
}
