import type { Kysely, Transaction } from 'kysely';
import { appendAudit, type AuditDraft } from '@hum/audit';
import type { PatchStrategyName, RemediationTier } from '@hum/contracts';
import type { PatchFailureReason } from '@hum/patching';
import { SERVICE_NAME } from '../config';
import {
  auditOutput,
  PATCHER_ACTOR,
  patchAudit,
  remediationEvent,
  remediationOutput,
} from '../decisions/remediation-events';
import type { ClaimedAttempt } from '../store/attempts';
import { outboxRow } from '../store/outbox';
import type { PatcherDatabase } from '../store/schema';
import { type BreakerOptions, breakerTrips, describeTrip, windowStart } from './breaker';

export type FinalOutcome =
  | { readonly status: 'applied'; readonly url: string; readonly detail: string }
  | {
      readonly status: 'failed';
      readonly reason: PatchFailureReason;
      readonly detail: string;
      readonly url?: string | undefined;
    }
  /** Stopped before any side effect (a gate closed): reported as `skipped`. */
  | { readonly status: 'cancelled'; readonly reasons: readonly string[]; readonly detail: string };

export interface Recorded {
  /** False when another owner settled the attempt first (a lease taken over). */
  readonly recorded: boolean;
  readonly pausedTier?: RemediationTier;
}

/**
 * Settles an attempt in one database transaction: the ledger row, its audit entries, the
 * remediation event in the outbox (published after commit, with a fixed id), and the
 * failure-rate breaker of its tier, which may pause the tier and audit that.
 */
export class OutcomeRecorder {
  constructor(
    private readonly db: Kysely<PatcherDatabase>,
    private readonly owner: string,
    private readonly breaker: BreakerOptions,
  ) {}

  async record(attempt: ClaimedAttempt, outcome: FinalOutcome, now: Date): Promise<Recorded> {
    return this.db.transaction().execute(async (trx) => {
      // Settlements of one tier take turns (in the order the decider locks: tier, then row),
      // so the breaker of each sees the outcomes committed just before it, not its own alone.
      await trx
        .selectFrom('tier_budget_locks')
        .select('tier')
        .where('tier', '=', attempt.tier)
        .forUpdate()
        .execute();
      const updated = await trx
        .updateTable('patch_attempts')
        .set({
          status: outcome.status,
          finished_at: now,
          outcome_reason:
            outcome.status === 'failed'
              ? outcome.reason
              : outcome.status === 'cancelled'
                ? outcome.reasons.join(',')
                : null,
          outcome_detail: outcome.detail.slice(0, 4000),
          url: outcome.status === 'cancelled' ? null : (outcome.url ?? null),
          lease_owner: null,
          lease_until: null,
          updated_at: now,
        })
        .where('attempt_key', '=', attempt.key)
        .where('lease_owner', '=', this.owner)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return { recorded: false };

      const { classified, fix, target } = attempt.payload;
      const event = remediationEvent({
        attemptKey: attempt.key,
        finding: classified.finding,
        tier: attempt.tier,
        status: outcome.status === 'cancelled' ? 'skipped' : outcome.status,
        reasons:
          outcome.status === 'failed'
            ? [outcome.reason]
            : outcome.status === 'cancelled'
              ? outcome.reasons
              : [],
        detail: outcome.detail,
        strategy: target.strategy as PatchStrategyName,
        fix,
        ...(outcome.status !== 'cancelled' && outcome.url !== undefined
          ? { url: outcome.url }
          : {}),
        policyVersion: attempt.policyVersion,
        decidedAt: attempt.decidedAt,
      });
      const drafts: AuditDraft[] = [patchAudit(event, outcome.status, now)];
      const pausedTier =
        outcome.status === 'cancelled'
          ? undefined
          : await this.breakerCheck(trx, attempt.tier, now, drafts);
      const entries = await appendAudit(trx, SERVICE_NAME, drafts);
      await trx
        .insertInto('outbox')
        .values(
          [remediationOutput(event), ...entries.map(auditOutput)].map((e) => outboxRow(e, now)),
        )
        .execute();
      return pausedTier === undefined ? { recorded: true } : { recorded: true, pausedTier };
    });
  }

  private async breakerCheck(
    trx: Transaction<PatcherDatabase>,
    tier: RemediationTier,
    now: Date,
    drafts: AuditDraft[],
  ): Promise<RemediationTier | undefined> {
    const resumed = await trx
      .selectFrom('tier_pauses')
      .select((eb) => eb.fn.max('resumed_at').as('last'))
      .where('tier', '=', tier)
      .executeTakeFirst();
    const since = windowStart(
      now,
      this.breaker.windowMs,
      resumed?.last == null ? undefined : new Date(resumed.last),
    );
    const rows = await trx
      .selectFrom('patch_attempts')
      .select(['status'])
      .where('tier', '=', tier)
      .where('status', 'in', ['applied', 'failed'])
      .where('finished_at', '>', since)
      .execute();
    const window = { failed: rows.filter((r) => r.status === 'failed').length, total: rows.length };
    if (!breakerTrips(window, this.breaker)) return undefined;
    const reason = describeTrip(window, this.breaker);
    const opened = await trx
      .insertInto('tier_pauses')
      .values({ tier, paused_at: now, reason })
      .onConflict((oc) => oc.column('tier').where('resumed_at', 'is', null).doNothing())
      .executeTakeFirst();
    if (Number(opened.numInsertedOrUpdatedRows ?? 0n) !== 1) return undefined;
    // The tier is closed from now: its backlog sweep stops, and a resume starts a new one.
    await trx
      .updateTable('tier_backlogs')
      .set({ level: 0, sweep_started_at: null, sweep_policy_version: null, changed_at: now })
      .where('tier', '=', tier)
      .execute();
    drafts.push({
      at: now,
      actor: PATCHER_ACTOR,
      action: 'patcher.tier.auto-paused',
      entity: { type: 'policy', id: `tier:${tier}` },
      outcome: 'success',
      details: {
        tier,
        reason,
        failed: window.failed,
        total: window.total,
        windowMs: this.breaker.windowMs,
      },
    });
    return tier;
  }
}
