import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import {
  type BootstrapUser,
  generatePassword,
  hashPassword,
  parseRoles,
  passwordProblem,
  type PersonPrincipal,
  type Role,
  verifyPassword,
} from '@hum/auth';
import type { Clock } from '@hum/common';
import { LOGGER, type Logger } from '@hum/observability';
import { jsonb } from '@hum/persistence';
import { ChangeRunner } from '../audit/change-runner';
import type { AdminDatabase } from '../database/schema';
import { Refused } from '../http/refusal';
import { ADMIN_CLOCK, ADMIN_DB, ADMIN_SETTINGS, type AdminSettings } from '../tokens';

export const BOOTSTRAP_USERS = Symbol('admin.bootstrap-users');

export interface BootstrapSettings {
  users: readonly BootstrapUser[];
  /** Where the passwords are written instead of stdout. */
  credentialsFile: string | undefined;
}

export interface LocalUser {
  username: string;
  roles: Set<Role>;
}

/**
 * Local users with scrypt-hashed passwords: the quickstart's way in. On the first start of an
 * empty database the bootstrap users are created with random passwords, which are shown once
 * (stdout, or a 0600 file) and never stored, logged or published.
 */
@Injectable()
export class LocalUsersService implements OnApplicationBootstrap {
  private readonly log: Logger;

  constructor(
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
    @Inject(BOOTSTRAP_USERS) private readonly bootstrap: BootstrapSettings,
    private readonly changes: ChangeRunner,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ context: LocalUsersService.name });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.localUsers) return;
    const created = await this.createBootstrapUsers();
    if (created.length === 0) return;
    const lines = [
      'policy-admin created these local users. Their passwords are shown this once; change them.',
      ...created.map(
        (u) => `  user=${u.username} roles=${u.roles.join('+')} password=${u.password}`,
      ),
    ];
    if (this.bootstrap.credentialsFile !== undefined) {
      writeOwnerOnly(this.bootstrap.credentialsFile, `${lines.join('\n')}\n`);
      this.log.warn(
        { file: this.bootstrap.credentialsFile, users: created.map((u) => u.username) },
        'bootstrap users created; passwords written to the credentials file',
      );
    } else {
      // Deliberately not through the logger: log shipping must never carry the passwords.
      process.stdout.write(`\n${lines.join('\n')}\n\n`);
      this.log.warn(
        { users: created.map((u) => u.username) },
        'bootstrap users created; passwords printed once on stdout',
      );
    }
  }

  /** Creates the bootstrap users if there are no users at all; returns them with passwords. */
  async createBootstrapUsers(): Promise<(BootstrapUser & { password: string })[]> {
    const any = await this.db.selectFrom('users').select('username').limit(1).execute();
    if (any.length > 0) return [];
    const prepared = await Promise.all(
      this.bootstrap.users.map(async (u) => {
        const password = generatePassword();
        return { ...u, password, hash: await hashPassword(password) };
      }),
    );
    const now = this.clock.now();
    const committed = await this.changes.run(
      async (trx, effects) => {
        // Serialises replicas starting together on an empty database.
        await sql`select pg_advisory_xact_lock(hashtext('policy-admin.bootstrap-users'))`.execute(
          trx,
        );
        const existing = await trx.selectFrom('users').select('username').limit(1).execute();
        if (existing.length > 0) return [];
        await trx
          .insertInto('users')
          .values(
            prepared.map((u) => ({
              username: u.username,
              password_hash: u.hash,
              roles: jsonb(u.roles),
              disabled: false,
              created_at: now,
              password_changed_at: now,
            })),
          )
          .execute();
        effects.audit(
          ...prepared.map((u) => ({
            actor: { type: 'system' as const, id: 'policy-admin' },
            action: 'auth.user.created',
            entity: { type: 'user', id: u.username },
            outcome: 'success' as const,
            details: { roles: u.roles, bootstrap: true },
          })),
        );
        return prepared.map(({ username, roles, password }) => ({ username, roles, password }));
      },
      { awaitPublication: false },
    );
    return committed.result;
  }

  /** The user when the password matches and the account is enabled; undefined otherwise. */
  async check(username: string, password: string): Promise<LocalUser | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    // Hash anyway for an unknown user, so timing does not tell which names exist.
    const valid = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !valid || row.disabled) return undefined;
    return { username: row.username, roles: parseRoles(row.roles) };
  }

  async find(username: string): Promise<LocalUser | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    if (!row || row.disabled) return undefined;
    return { username: row.username, roles: parseRoles(row.roles) };
  }

  async list(): Promise<
    { username: string; roles: string[]; disabled: boolean; createdAt: string }[]
  > {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map((r) => ({
      username: r.username,
      roles: r.roles,
      disabled: r.disabled,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** A person changes their own password, proving the current one. */
  async changePassword(actor: PersonPrincipal, current: string, next: string): Promise<void> {
    const problem = passwordProblem(next);
    if (problem)
      throw new Refused('invalid-request', problem, [{ pointer: '/newPassword', detail: problem }]);
    if (actor.source !== 'local' || (await this.check(actor.id, current)) === undefined)
      throw new Refused('invalid-request', 'the current password is not right', [
        { pointer: '/currentPassword', detail: 'wrong password' },
      ]);
    const hash = await hashPassword(next);
    const now = this.clock.now();
    await this.changes.run(
      async (trx, effects) => {
        await trx
          .updateTable('users')
          .set({ password_hash: hash, password_changed_at: now })
          .where('username', '=', actor.id)
          .execute();
        // Every other session of this person ends: a changed password locks out whoever knew the old one.
        await trx
          .updateTable('sessions')
          .set({ revoked_at: now })
          .where('username', '=', actor.id)
          .where('revoked_at', 'is', null)
          .where('id', '!=', actor.sessionId ?? '')
          .execute();
        effects.audit({
          actor: { type: 'user', id: actor.id },
          action: 'auth.password.changed',
          entity: { type: 'user', id: actor.id },
          outcome: 'success',
          details: {},
        });
      },
      { awaitPublication: false },
    );
  }
}

/**
 * Writes a file only its owner can read. `mode` applies only when a file is created, so a file
 * left from an earlier run (perhaps world-readable) is narrowed before the passwords go in.
 */
function writeOwnerOnly(file: string, content: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

// A valid scrypt hash of a random value: verifying against it costs what a real check costs.
const DUMMY_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
