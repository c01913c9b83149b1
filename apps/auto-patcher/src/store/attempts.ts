import { type Kysely, type Selectable, sql } from 'kysely';
import type { RemediationTier } from '@hum/contracts';
import type { PatchRequest } from '@hum/patching';
import type { AttemptPayload, PatcherDatabase, PatcherTables } from './schema';

export interface ClaimedAttempt {
  readonly key: string;
  readonly tier: RemediationTier;
  readonly team: string;
  readonly assetId: string;
  readonly policyVersion: string;
  readonly decidedAt: Date;
  readonly payload: AttemptPayload;
  /** Executions started, this one included: above 1, an earlier one may have acted. */
  readonly tries: number;
}

function claimed(row: Selectable<PatcherTables['patch_attempts']>): ClaimedAttempt {
  return {
    key: row.attempt_key,
    tier: row.tier,
    team: row.team,
    assetId: row.asset_id,
    policyVersion: row.policy_version,
    decidedAt: new Date(row.decided_at),
    payload: row.payload!,
    tries: row.tries,
  };
}

export function patchRequestOf(attempt: ClaimedAttempt): PatchRequest {
  const { classified, fix, target } = attempt.payload;
  return {
    attemptKey: attempt.key,
    finding: classified.finding,
    tier: attempt.tier,
    classification: classified.classification,
    fix,
    target,
  };
}

/**
 * The executor's view of the attempt ledger. Claims are leases (owner + expiry) taken with
 * `FOR UPDATE SKIP LOCKED`, so replicas share the queue and a crashed owner's attempts are
 * taken over when its lease runs out — to be reconciled, since they may have acted.
 */
export class AttemptStore {
  constructor(
    private readonly db: Kysely<PatcherDatabase>,
    readonly owner: string,
  ) {}

  /** After a restart this instance's own leases end at once: its attempts are picked up again. */
  async releaseOwnLeases(now: Date): Promise<number> {
    const result = await this.db
      .updateTable('patch_attempts')
      .set({ lease_until: now, updated_at: now })
      .where('lease_owner', '=', this.owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async claim(limit: number, leaseMs: number, now: Date): Promise<ClaimedAttempt[]> {
    if (limit <= 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const keys = await trx
        .selectFrom('patch_attempts')
        .select('attempt_key')
        .where((eb) =>
          eb.or([
            eb.and([
              eb('status', '=', 'queued'),
              eb.or([eb('not_before', 'is', null), eb('not_before', '<=', now)]),
            ]),
            eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('decided_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (keys.length === 0) return [];
      const rows = await trx
        .updateTable('patch_attempts')
        .set({
          status: 'running',
          lease_owner: this.owner,
          lease_until: new Date(now.getTime() + leaseMs),
          tries: sql<number>`tries + 1`,
          started_at: sql<Date>`coalesce(started_at, ${now})`,
          not_before: null,
          updated_at: now,
        })
        .where(
          'attempt_key',
          'in',
          keys.map((k) => k.attempt_key),
        )
        .returningAll()
        .execute();
      return rows.map(claimed);
    });
  }

  /**
   * Attempts sent to an executor whose result is in (a callback arrived) or overdue: taken
   * back to `running` under this owner so exactly one instance settles each.
   */
  async claimAwaiting(leaseMs: number, now: Date): Promise<ClaimedAttempt[]> {
    const rows = await this.db
      .updateTable('patch_attempts')
      .set({
        status: 'running',
        lease_owner: this.owner,
        lease_until: new Date(now.getTime() + leaseMs),
        updated_at: now,
      })
      .where('status', '=', 'awaiting-result')
      .where((eb) =>
        eb.or([
          eb('result_deadline', '<=', now),
          eb.exists(
            eb
              .selectFrom('webhook_results')
              .select('webhook_results.attempt_key')
              .whereRef('webhook_results.attempt_key', '=', 'patch_attempts.attempt_key'),
          ),
        ]),
      )
      .returningAll()
      .execute();
    return rows.map(claimed);
  }

  async renew(key: string, leaseMs: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('patch_attempts')
      .set({ lease_until: new Date(now.getTime() + leaseMs), updated_at: now })
      .where('attempt_key', '=', key)
      .where('lease_owner', '=', this.owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Back to the queue after a transient fault, not before `notBefore`. */
  async reschedule(key: string, notBefore: Date, detail: string, now: Date): Promise<void> {
    await this.db
      .updateTable('patch_attempts')
      .set({
        status: 'queued',
        not_before: notBefore,
        lease_owner: null,
        lease_until: null,
        outcome_detail: detail.slice(0, 4000),
        updated_at: now,
      })
      .where('attempt_key', '=', key)
      .where('lease_owner', '=', this.owner)
      .where('status', '=', 'running')
      .execute();
  }

  /** On shutdown: the lease ends now, so the next start (or another replica) resumes it. */
  async release(key: string, now: Date): Promise<void> {
    await this.db
      .updateTable('patch_attempts')
      .set({ lease_until: now, updated_at: now })
      .where('attempt_key', '=', key)
      .where('lease_owner', '=', this.owner)
      .execute();
  }

  async markAwaiting(
    key: string,
    deadline: Date,
    url: string | undefined,
    detail: string,
    now: Date,
  ): Promise<void> {
    await this.db
      .updateTable('patch_attempts')
      .set({
        status: 'awaiting-result',
        result_deadline: deadline,
        url: url ?? null,
        outcome_detail: detail,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
      })
      .where('attempt_key', '=', key)
      .where('lease_owner', '=', this.owner)
      .where('status', '=', 'running')
      .execute();
  }

  async webhookResult(
    key: string,
  ): Promise<Selectable<PatcherTables['webhook_results']> | undefined> {
    return this.db
      .selectFrom('webhook_results')
      .selectAll()
      .where('attempt_key', '=', key)
      .executeTakeFirst();
  }

  /** Stores an executor's callback; the first one for an attempt wins. */
  async storeWebhookResult(
    result: {
      attemptKey: string;
      status: string;
      url?: string | undefined;
      detail?: string | undefined;
    },
    now: Date,
  ): Promise<'stored' | 'duplicate'> {
    const inserted = await this.db
      .insertInto('webhook_results')
      .values({
        attempt_key: result.attemptKey,
        status: result.status,
        url: result.url ?? null,
        detail: result.detail ?? null,
        received_at: now,
      })
      .onConflict((oc) => oc.column('attempt_key').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1 ? 'stored' : 'duplicate';
  }

  async attempt(key: string): Promise<Selectable<PatcherTables['patch_attempts']> | undefined> {
    return this.db
      .selectFrom('patch_attempts')
      .selectAll()
      .where('attempt_key', '=', key)
      .executeTakeFirst();
  }

  async openPauses(): Promise<Array<Selectable<PatcherTables['tier_pauses']>>> {
    return this.db.selectFrom('tier_pauses').selectAll().where('resumed_at', 'is', null).execute();
  }

  /** Whether findings.resolved has reported the finding fixed (it may be, after the decision). */
  async isFindingResolved(fingerprint: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('open_findings')
      .select('state')
      .where('fingerprint', '=', fingerprint)
      .executeTakeFirst();
    return row?.state === 'resolved';
  }

  async isPaused(tier: RemediationTier): Promise<boolean> {
    const row = await this.db
      .selectFrom('tier_pauses')
      .select('id')
      .where('tier', '=', tier)
      .where('resumed_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }
}
