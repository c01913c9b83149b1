import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { type PersonPrincipal, SessionTokens } from '@hum/auth';
import { type Clock, TokenBucket } from '@hum/common';
import { ChangeRunner } from '../audit/change-runner';
import type { AdminDatabase } from '../database/schema';
import { ADMIN_CLOCK, ADMIN_DB, ADMIN_SETTINGS, type AdminSettings } from '../tokens';
import { LocalUsersService } from './local-users.service';

export const SESSION_TOKENS = Symbol('admin.session-tokens');
export const SESSION_COOKIE = 'hum_session';

export interface Login {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  username: string;
  roles: string[];
}

export type LoginOutcome =
  | { ok: true; login: Login }
  | { ok: false; reason: 'rate-limited'; retryAfterMs: number }
  | { ok: false; reason: 'invalid' };

/**
 * Server-side sessions for local users: a row per login (revocable at once), a signed token
 * in an http-only SameSite=strict cookie or as a bearer token, and a CSRF token derived from
 * the session for cookie-authenticated changes.
 */
@Injectable()
export class SessionsService {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
    @Inject(SESSION_TOKENS) private readonly tokens: SessionTokens,
    private readonly users: LocalUsersService,
    private readonly changes: ChangeRunner,
  ) {}

  async login(username: string, password: string, client: string): Promise<LoginOutcome> {
    for (const key of [`client:${client}`, `user:${username}`]) {
      const taken = this.bucket(key).take();
      if (!taken.ok) return { ok: false, reason: 'rate-limited', retryAfterMs: taken.retryAfterMs };
    }
    const user = this.settings.localUsers ? await this.users.check(username, password) : undefined;
    const now = this.clock.now();
    if (!user) {
      await this.changes.run(
        async (_trx, effects) => {
          effects.audit({
            actor: { type: 'user', id: username.slice(0, 200) || '(empty)' },
            action: 'auth.login.failed',
            entity: { type: 'user', id: username.slice(0, 300) || '(empty)' },
            outcome: 'denied',
            details: { client },
          });
        },
        { awaitPublication: false },
      );
      return { ok: false, reason: 'invalid' };
    }
    const id = SessionTokens.newId();
    const expiresAt = new Date(now.getTime() + this.settings.sessionTtlMs);
    await this.changes.run(
      async (trx, effects) => {
        await trx
          .insertInto('sessions')
          .values({
            id,
            username: user.username,
            created_at: now,
            expires_at: expiresAt,
            revoked_at: null,
          })
          .execute();
        effects.audit({
          actor: { type: 'user', id: user.username },
          action: 'auth.login.succeeded',
          entity: { type: 'user', id: user.username },
          outcome: 'success',
          details: { client, expiresAt: expiresAt.toISOString() },
        });
      },
      { awaitPublication: false },
    );
    return {
      ok: true,
      login: {
        token: this.tokens.token(id),
        csrfToken: this.tokens.csrfToken(id),
        expiresAt,
        username: user.username,
        roles: [...user.roles],
      },
    };
  }

  async logout(principal: PersonPrincipal): Promise<void> {
    if (principal.sessionId === undefined) return;
    const sessionId = principal.sessionId;
    await this.changes.run(
      async (trx, effects) => {
        await trx
          .updateTable('sessions')
          .set({ revoked_at: this.clock.now() })
          .where('id', '=', sessionId)
          .execute();
        effects.audit({
          actor: { type: 'user', id: principal.id },
          action: 'auth.logout',
          entity: { type: 'user', id: principal.id },
          outcome: 'success',
          details: {},
        });
      },
      { awaitPublication: false },
    );
  }

  /** The person behind a session token, if the session is live and the user still enabled. */
  async resolve(
    token: string,
    via: 'session-cookie' | 'session-bearer',
  ): Promise<PersonPrincipal | undefined> {
    const id = this.tokens.verify(token);
    if (id === undefined) return undefined;
    const session = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    const now = this.clock.now();
    if (!session || session.revoked_at !== null || session.expires_at.getTime() <= now.getTime())
      return undefined;
    const user = await this.users.find(session.username);
    if (!user) return undefined;
    return {
      kind: 'person',
      id: user.username,
      roles: user.roles,
      source: 'local',
      via,
      sessionId: id,
      csrfToken: this.tokens.csrfToken(id),
    };
  }

  private bucket(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size > 10_000) this.buckets.clear();
      const perMinute = this.settings.loginRatePerMinute;
      bucket = new TokenBucket({ ratePerSecond: perMinute / 60, capacity: perMinute }, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
