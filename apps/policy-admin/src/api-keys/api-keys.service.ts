import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { generateApiKey, type PersonPrincipal } from '@hum/auth';
import type { Clock } from '@hum/common';
import { ApiKeyPermission, type ApiKeyStateV1, TeamName, Timestamp, TOPICS } from '@hum/contracts';
import { jsonb } from '@hum/persistence';
import { ChangeRunner } from '../audit/change-runner';
import { DeniedAttempts } from '../audit/denied-attempts';
import type { AdminDatabase, AdminTables } from '../database/schema';
import { Refused } from '../http/refusal';
import { ADMIN_CLOCK, ADMIN_DB } from '../tokens';

export const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    permissions: z.array(ApiKeyPermission).min(1).max(2),
    /** Asset id globs the key may publish for (`*` and `?` wildcards). */
    assets: z.array(z.string().min(1).max(200)).min(1).max(100),
    teams: z.array(TeamName).max(50).default([]),
    expiresAt: Timestamp.optional(),
  })
  .strict();
export type CreateApiKeyBody = z.output<typeof CreateApiKeyBody>;

export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

export interface ApiKeyView {
  id: string;
  name: string;
  permissions: string[];
  assets: string[];
  teams: string[];
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
  revokedBy?: string;
  lastUsedAt?: string;
  status: ApiKeyStatus;
  version: number;
}

const MAX_KEY_LIFETIME_MS = 2 * 365 * 24 * 3_600_000;

function view(row: Selectable<AdminTables['api_keys']>, now: Date): ApiKeyView {
  const r = row.record;
  const status: ApiKeyStatus =
    r.revokedAt !== undefined
      ? 'revoked'
      : r.expiresAt !== undefined && Date.parse(r.expiresAt) <= now.getTime()
        ? 'expired'
        : 'active';
  // The hash stays server-side: knowing it helps nobody, but nobody needs it either.
  return {
    id: r.id,
    name: r.name,
    permissions: r.permissions,
    assets: r.assets,
    teams: r.teams,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    ...(r.expiresAt !== undefined ? { expiresAt: r.expiresAt } : {}),
    ...(r.revokedAt !== undefined ? { revokedAt: r.revokedAt } : {}),
    ...(r.revokedBy !== undefined ? { revokedBy: r.revokedBy } : {}),
    ...(row.last_used_at !== null ? { lastUsedAt: new Date(row.last_used_at).toISOString() } : {}),
    status,
    version: r.version,
  };
}

/**
 * Pipeline API keys: created here (the token is shown once and only its SHA-256 is kept),
 * scoped to asset globs, teams and permissions, revocable, expiring, and published on the
 * compacted apikeys.state topic for the gateway to follow.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    private readonly changes: ChangeRunner,
    private readonly denied: DeniedAttempts,
  ) {}

  async list(): Promise<ApiKeyView[]> {
    const now = this.clock.now();
    const rows = await this.db.selectFrom('api_keys').selectAll().execute();
    return rows.map((row) => view(row, now)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  async create(
    actor: PersonPrincipal,
    input: CreateApiKeyBody,
  ): Promise<{ key: ApiKeyView; token: string; published: boolean }> {
    return this.denied.guard(
      actor,
      'apikey.create',
      { type: 'api-key', id: input.name.slice(0, 300) },
      async () => {
        const now = this.clock.now();
        if (input.expiresAt !== undefined) {
          const at = Date.parse(input.expiresAt);
          if (at <= now.getTime())
            throw new Refused('invalid-request', 'expiresAt must be in the future', [
              { pointer: '/expiresAt', detail: 'in the past' },
            ]);
          if (at - now.getTime() > MAX_KEY_LIFETIME_MS)
            throw new Refused('invalid-request', 'a key may live at most two years', [
              { pointer: '/expiresAt', detail: 'too far ahead' },
            ]);
        }
        // Asset ids never have surrounding spaces: such a glob would silently match nothing.
        for (const [i, glob] of input.assets.entries())
          if (glob.trim() !== glob)
            throw new Refused(
              'invalid-request',
              `assets[${i}] "${glob}" has surrounding spaces and would match no asset`,
              [{ pointer: `/assets/${i}`, detail: 'not a usable asset glob' }],
            );
        const generated = generateApiKey();
        const record: ApiKeyStateV1 = {
          id: generated.id,
          name: input.name,
          hash: generated.hash,
          permissions: [...new Set(input.permissions)],
          assets: input.assets,
          teams: input.teams,
          createdAt: now.toISOString(),
          createdBy: actor.id,
          ...(input.expiresAt !== undefined
            ? { expiresAt: new Date(input.expiresAt).toISOString() }
            : {}),
          version: 1,
        };
        const committed = await this.changes.run(async (trx, effects) => {
          await trx
            .insertInto('api_keys')
            .values({
              id: record.id,
              record: jsonb(record),
              last_used_at: null,
              expiry_recorded_at: null,
            })
            .execute();
          effects.publish({ topic: TOPICS.apiKeysState, key: record.id, data: record }).audit({
            actor: { type: 'user', id: actor.id },
            action: 'apikey.created',
            entity: { type: 'api-key', id: record.id },
            outcome: 'success',
            details: {
              name: record.name,
              permissions: record.permissions,
              assets: record.assets,
              teams: record.teams,
              ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
            },
            at: now,
          });
        });
        const row = await this.db
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', record.id)
          .executeTakeFirstOrThrow();
        return { key: view(row, now), token: generated.token, published: committed.published };
      },
    );
  }

  async revoke(
    actor: PersonPrincipal,
    id: string,
    note?: string,
  ): Promise<{ key: ApiKeyView; published: boolean }> {
    return this.denied.guard(
      actor,
      'apikey.revoke',
      { type: 'api-key', id: id.slice(0, 300) },
      async () => {
        const now = this.clock.now();
        const committed = await this.changes.run(async (trx, effects) => {
          const row = await trx
            .selectFrom('api_keys')
            .selectAll()
            .where('id', '=', id)
            .forUpdate()
            .executeTakeFirst();
          if (!row) throw new Refused('not-found', `no API key ${id}`);
          if (row.record.revokedAt !== undefined)
            throw new Refused(
              'already-revoked',
              `key ${id} was revoked at ${row.record.revokedAt}`,
            );
          const record: ApiKeyStateV1 = {
            ...row.record,
            revokedAt: now.toISOString(),
            revokedBy: actor.id,
            version: row.record.version + 1,
          };
          await trx
            .updateTable('api_keys')
            .set({ record: jsonb(record) })
            .where('id', '=', id)
            .execute();
          effects.publish({ topic: TOPICS.apiKeysState, key: id, data: record }).audit({
            actor: { type: 'user', id: actor.id },
            action: 'apikey.revoked',
            entity: { type: 'api-key', id },
            outcome: 'success',
            details: { name: record.name, version: record.version, ...(note ? { note } : {}) },
            at: now,
          });
        });
        const row = await this.db
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return { key: view(row, now), published: committed.published };
      },
    );
  }

  /** Audits each key whose expiry has passed, once. */
  async recordExpiries(): Promise<number> {
    const now = this.clock.now();
    const committed = await this.changes.run(
      async (trx, effects) => {
        const rows = await trx
          .selectFrom('api_keys')
          .selectAll()
          .where('expiry_recorded_at', 'is', null)
          .forUpdate()
          .execute();
        const expired = rows.filter(
          (r) =>
            r.record.revokedAt === undefined &&
            r.record.expiresAt !== undefined &&
            Date.parse(r.record.expiresAt) <= now.getTime(),
        );
        for (const row of expired) {
          await trx
            .updateTable('api_keys')
            .set({ expiry_recorded_at: now })
            .where('id', '=', row.id)
            .execute();
          effects.audit({
            actor: { type: 'system', id: 'policy-admin' },
            action: 'apikey.expired',
            entity: { type: 'api-key', id: row.id },
            outcome: 'success',
            details: { name: row.record.name, expiresAt: row.record.expiresAt },
            at: now,
          });
        }
        return expired.length;
      },
      { awaitPublication: false },
    );
    return committed.result;
  }
}
