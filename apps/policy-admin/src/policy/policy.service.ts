import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { AuditDraft } from '@hum/audit';
import type { PersonPrincipal } from '@hum/auth';
import type { Clock } from '@hum/common';
import {
  type AuditEntryV1,
  type PolicyStateV1,
  policyStateKey,
  type RemediationTier,
  TOPICS,
} from '@hum/contracts';
import {
  applyChange,
  assessChange,
  checkApproval,
  checkPropose,
  checkRejection,
  expiryOf,
  type PolicyChange,
  policyKeyOf,
  type PolicyRecordKey,
  type PolicySnapshot,
  rejectionState,
  setTierPaused,
} from '@hum/policy';
import { jsonb } from '@hum/persistence';
import { type AdminTransaction, ChangeRunner, type Effects } from '../audit/change-runner';
import { DeniedAttempts } from '../audit/denied-attempts';
import type { AdminDatabase } from '../database/schema';
import { Refused } from '../http/refusal';
import { ADMIN_CLOCK, ADMIN_DB, ADMIN_SETTINGS, type AdminSettings } from '../tokens';
import { heldVersion, lockPolicyKey, readPolicy, storePolicyRecord } from './policy-records';
import { proposalView, type ProposalView } from './proposal-view';

export interface ProposeInput {
  change: PolicyChange;
  reason: string;
  ttlMs?: number;
}

export interface Decided {
  proposal: ProposalView;
  /** The record now in force when the decision applied a change. */
  applied?: PolicyStateV1;
  /** Whether the new policy.state record (and audit entries) reached Kafka before answering. */
  published: boolean;
}

const user = (principal: PersonPrincipal): AuditDraft['actor'] => ({
  type: 'user',
  id: principal.id,
});

/**
 * Policy decisions: proposals, approvals, rejections, expiry, and the pause flag. Every
 * decision locks its policy key, so two approvals of proposals on one key cannot both apply
 * against the same version; every decision and every refused attempt is audited.
 */
@Injectable()
export class PolicyService {
  constructor(
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
    private readonly changes: ChangeRunner,
    private readonly denied: DeniedAttempts,
  ) {}

  current(): Promise<PolicySnapshot> {
    return readPolicy(this.db);
  }

  async list(state: string | undefined, limit: number): Promise<ProposalView[]> {
    const now = this.clock.now();
    let query = this.db
      .selectFrom('proposals')
      .selectAll()
      .orderBy('proposed_at', 'desc')
      .limit(limit);
    if (state === 'pending')
      query = query.where('state', '=', 'pending').where('expires_at', '>', now);
    else if (state === 'expired')
      query = query.where((eb) =>
        eb.or([
          eb('state', '=', 'expired'),
          eb.and([eb('state', '=', 'pending'), eb('expires_at', '<=', now)]),
        ]),
      );
    else if (state !== undefined) query = query.where('state', '=', state as ProposalView['state']);
    return (await query.execute()).map((row) => proposalView(row, now));
  }

  async get(id: string): Promise<ProposalView> {
    const row = await this.db
      .selectFrom('proposals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new Refused('not-found', `no proposal ${id}`).toProblem();
    return proposalView(row, this.clock.now());
  }

  async propose(actor: PersonPrincipal, input: ProposeInput): Promise<Decided> {
    const key = policyKeyOf(input.change);
    return this.denied.guard(
      actor,
      'policy.proposal.create',
      { type: 'policy', id: key },
      async () => {
        const refusal = checkPropose(actor);
        if (refusal) throw new Refused(refusal.code, refusal.reason);
        const now = this.clock.now();
        const committed = await this.changes.run(async (trx, effects) => {
          await lockPolicyKey(trx, key);
          const snapshot = await readPolicy(trx);
          const assessed = assessChange(snapshot, input.change);
          if (!assessed.ok) throw new Refused(assessed.code, assessed.reason);
          const { assessment } = assessed;
          const id = `prp-${randomUUID()}`;
          const base = {
            id,
            target: key,
            change: jsonb(input.change),
            assessment: jsonb(assessment),
            approval: assessment.approval,
            reason: input.reason,
            base_version: heldVersion(snapshot, key),
            proposed_by: actor.id,
            proposed_at: now,
            expires_at: expiryOf(now, input.ttlMs ?? this.settings.proposalTtlMs),
            decision_note: null,
          };
          effects.audit({
            actor: user(actor),
            action: 'policy.proposal.created',
            entity: { type: 'proposal', id },
            outcome: 'success',
            details: {
              key,
              change: input.change,
              reason: input.reason,
              approval: assessment.approval,
              rationale: assessment.rationale,
            },
            at: now,
          });
          if (assessment.approval === 'second-person') {
            await trx
              .insertInto('proposals')
              .values({
                ...base,
                state: 'pending',
                decided_by: null,
                decided_at: null,
                result_version: null,
              })
              .execute();
            return { id, applied: undefined };
          }
          const applied = this.apply(effects, snapshot, input.change, {
            at: now,
            decidedBy: [actor.id],
            proposalId: id,
            actor,
            detail: assessment.rationale,
          });
          await storePolicyRecord(trx, key, applied);
          await trx
            .insertInto('proposals')
            .values({
              ...base,
              state: 'applied',
              decided_by: actor.id,
              decided_at: now,
              result_version: applied.version,
            })
            .execute();
          return { id, applied };
        });
        return this.decided(committed.result.id, committed.result.applied, committed.published);
      },
    );
  }

  async approve(actor: PersonPrincipal, id: string, note?: string): Promise<Decided> {
    return this.denied.guard(
      actor,
      'policy.proposal.approve',
      { type: 'proposal', id },
      async () => {
        const now = this.clock.now();
        const committed = await this.changes.run(async (trx, effects) => {
          const proposal = await this.lockProposal(trx, id);
          const key = proposal.target as PolicyRecordKey;
          await lockPolicyKey(trx, key);
          const snapshot = await readPolicy(trx);
          const refusal = checkApproval(
            {
              state: proposal.state,
              proposedBy: proposal.proposed_by,
              expiresAt: proposal.expires_at,
              approval: proposal.approval,
              baseVersion: proposal.base_version,
            },
            { id: actor.id, roles: actor.roles },
            now,
            heldVersion(snapshot, key),
          );
          if (refusal) throw new Refused(refusal.code, refusal.reason);
          const applied = this.apply(effects, snapshot, proposal.change, {
            at: now,
            decidedBy: [proposal.proposed_by, actor.id],
            proposalId: id,
            actor,
            detail: proposal.assessment.rationale,
          });
          await storePolicyRecord(trx, key, applied);
          await trx
            .updateTable('proposals')
            .set({
              state: 'applied',
              decided_by: actor.id,
              decided_at: now,
              decision_note: note ?? null,
              result_version: applied.version,
            })
            .where('id', '=', id)
            .execute();
          effects.audit({
            actor: user(actor),
            action: 'policy.proposal.approved',
            entity: { type: 'proposal', id },
            outcome: 'success',
            details: {
              key,
              proposedBy: proposal.proposed_by,
              version: applied.version,
              ...(note ? { note } : {}),
            },
            at: now,
          });
          return applied;
        });
        return this.decided(id, committed.result, committed.published);
      },
    );
  }

  async reject(actor: PersonPrincipal, id: string, note?: string): Promise<Decided> {
    return this.denied.guard(
      actor,
      'policy.proposal.reject',
      { type: 'proposal', id },
      async () => {
        const now = this.clock.now();
        const committed = await this.changes.run(async (trx, effects) => {
          const proposal = await this.lockProposal(trx, id);
          const request = {
            state: proposal.state,
            proposedBy: proposal.proposed_by,
            expiresAt: proposal.expires_at,
            approval: proposal.approval,
          };
          const decider = { id: actor.id, roles: actor.roles };
          const refusal = checkRejection(request, decider, now);
          if (refusal) throw new Refused(refusal.code, refusal.reason);
          const state = rejectionState(request, decider);
          await trx
            .updateTable('proposals')
            .set({ state, decided_by: actor.id, decided_at: now, decision_note: note ?? null })
            .where('id', '=', id)
            .execute();
          effects.audit({
            actor: user(actor),
            action:
              state === 'withdrawn' ? 'policy.proposal.withdrawn' : 'policy.proposal.rejected',
            entity: { type: 'proposal', id },
            outcome: 'success',
            details: {
              key: proposal.target,
              proposedBy: proposal.proposed_by,
              ...(note ? { note } : {}),
            },
            at: now,
          });
        });
        return this.decided(id, undefined, committed.published);
      },
    );
  }

  /** Records the expiry of every pending proposal past its time; returns how many. */
  async expireDue(): Promise<number> {
    const now = this.clock.now();
    const committed = await this.changes.run(
      async (trx, effects) => {
        const due = await trx
          .updateTable('proposals')
          .set({ state: 'expired', decided_at: now })
          .where('state', '=', 'pending')
          .where('expires_at', '<=', now)
          .returning(['id', 'target', 'proposed_by', 'expires_at'])
          .execute();
        for (const row of due) {
          effects.audit({
            actor: { type: 'system', id: 'policy-admin' },
            action: 'policy.proposal.expired',
            entity: { type: 'proposal', id: row.id },
            outcome: 'success',
            details: {
              key: row.target,
              proposedBy: row.proposed_by,
              expiresAt: new Date(row.expires_at).toISOString(),
            },
            at: now,
          });
        }
        return due.length;
      },
      { awaitPublication: false },
    );
    return committed.result;
  }

  /** An operator resumes a tier the patcher's failure-rate breaker paused. */
  async resume(
    actor: PersonPrincipal,
    tier: RemediationTier,
    note?: string,
  ): Promise<{ record: PolicyStateV1; published: boolean }> {
    const key: PolicyRecordKey = `tier:${tier}`;
    return this.denied.guard(actor, 'policy.tier.resume', { type: 'policy', id: key }, async () => {
      const now = this.clock.now();
      const committed = await this.changes.run(async (trx, effects) => {
        await lockPolicyKey(trx, key);
        const snapshot = await readPolicy(trx);
        if (!snapshot.tiers[tier].paused)
          throw new Refused('not-paused', `the ${tier} tier is not paused`);
        const record = setTierPaused(snapshot, tier, false, { at: now, decidedBy: [actor.id] });
        await storePolicyRecord(trx, key, record);
        effects.publish({ topic: TOPICS.policyState, key, data: record }).audit({
          actor: user(actor),
          action: 'policy.tier.resumed',
          entity: { type: 'policy', id: key },
          outcome: 'success',
          details: { version: record.version, mode: record.mode, ...(note ? { note } : {}) },
          at: now,
        });
        return record;
      });
      return { record: committed.result, published: committed.published };
    });
  }

  /**
   * The patcher's breaker paused a tier (its audit entry arrived on audit.log): the pause goes
   * into policy.state, so every follower sees it and only an operator's resume lifts it.
   */
  async recordAutoPause(
    trx: AdminTransaction,
    effects: Effects,
    tier: RemediationTier,
    source: AuditEntryV1,
  ): Promise<void> {
    const key: PolicyRecordKey = `tier:${tier}`;
    await lockPolicyKey(trx, key);
    const snapshot = await readPolicy(trx);
    const at = this.clock.now();
    const alreadyPaused = snapshot.tiers[tier].paused;
    if (!alreadyPaused) {
      const record = setTierPaused(snapshot, tier, true, { at, decidedBy: [source.actor.id] });
      await storePolicyRecord(trx, key, record);
      effects.publish({ topic: TOPICS.policyState, key, data: record });
    }
    effects.audit({
      actor: { type: 'service', id: source.actor.id },
      action: 'policy.tier.auto-paused',
      entity: { type: 'policy', id: key },
      outcome: 'success',
      details: {
        source: { chain: source.chain, seq: source.seq, id: source.id },
        alreadyPaused,
        reason: source.details['reason'] ?? null,
      },
      at,
    });
  }

  private apply(
    effects: Effects,
    snapshot: PolicySnapshot,
    change: PolicyChange,
    decision: {
      at: Date;
      decidedBy: string[];
      proposalId: string;
      actor: PersonPrincipal;
      detail: string;
    },
  ): PolicyStateV1 {
    const record = applyChange(snapshot, change, decision);
    const key = policyStateKey(record) as PolicyRecordKey;
    effects.publish({ topic: TOPICS.policyState, key, data: record }).audit({
      actor: user(decision.actor),
      action: 'policy.change.applied',
      entity: { type: 'policy', id: key },
      outcome: 'success',
      details: {
        proposalId: decision.proposalId,
        version: record.version,
        decidedBy: decision.decidedBy,
        change,
        rationale: decision.detail,
      },
      at: decision.at,
    });
    if (
      change.kind === 'global' &&
      change.killSwitch !== undefined &&
      change.killSwitch !== snapshot.global.killSwitch
    ) {
      effects.audit({
        actor: user(decision.actor),
        action: change.killSwitch ? 'policy.kill-switch.engaged' : 'policy.kill-switch.released',
        entity: { type: 'policy', id: 'global' },
        outcome: 'success',
        details: {
          proposalId: decision.proposalId,
          version: record.version,
          decidedBy: decision.decidedBy,
        },
        at: decision.at,
      });
    }
    return record;
  }

  private async lockProposal(trx: AdminTransaction, id: string) {
    const proposal = await trx
      .selectFrom('proposals')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!proposal) throw new Refused('not-found', `no proposal ${id}`);
    return proposal;
  }

  private async decided(
    id: string,
    applied: PolicyStateV1 | undefined,
    published: boolean,
  ): Promise<Decided> {
    const row = await this.db
      .selectFrom('proposals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return {
      proposal: proposalView(row, this.clock.now()),
      ...(applied ? { applied } : {}),
      published,
    };
  }
}
