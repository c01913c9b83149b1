import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { PersonPrincipal } from '@hum/auth';
import type { Clock } from '@hum/common';
import { RiskAcceptanceV1, RiskTier, Sha256Hex, Timestamp, TOPICS } from '@hum/contracts';
import {
  checkAcceptanceExpiry,
  checkApproval,
  checkPropose,
  checkRejection,
  expiryOf,
  type LapseReason,
  type ProposalState,
  rejectionState,
  riskRise,
  type RiskRise,
} from '@hum/policy';
import { jsonb } from '@hum/persistence';
import { type AdminTransaction, ChangeRunner, type Effects } from '../audit/change-runner';
import { DeniedAttempts } from '../audit/denied-attempts';
import type { AcceptanceState, AdminDatabase, AdminTables } from '../database/schema';
import { Refused } from '../http/refusal';
import { ADMIN_CLOCK, ADMIN_DB, ADMIN_SETTINGS, type AdminSettings } from '../tokens';

export const ProposeAcceptanceBody = z
  .object({
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('finding'), fingerprint: Sha256Hex }).strict(),
      z.object({ kind: z.literal('group'), groupKey: z.string().min(1).max(500) }).strict(),
    ]),
    reason: z.string().trim().min(3).max(4000),
    owner: z.string().trim().min(1).max(200),
    expiresAt: Timestamp,
    /** The tier the risk is accepted at; by default the finding's current tier. */
    acceptedTier: RiskTier.optional(),
  })
  .strict();
export type ProposeAcceptanceBody = z.output<typeof ProposeAcceptanceBody>;

export interface AcceptanceView {
  id: string;
  target: RiskAcceptanceV1['target'];
  reason: string;
  owner: string;
  expiresAt: string;
  acceptedTier: string;
  state: AcceptanceState;
  proposedBy: string;
  proposedAt: string;
  requestExpiresAt: string;
  approvedBy?: string;
  decidedAt?: string;
  endedReason?: string;
  version: number;
}

type Row = Selectable<AdminTables['risk_acceptances']>;

/** A finding's classification as a first sighting of its revision tells it. */
export interface ClassificationSeen {
  tier: z.infer<typeof RiskTier>;
  /** In CISA KEV; absent when the classification says nothing about KEV. */
  kev?: boolean;
  at: Date;
  /** Every ticket group the finding can belong to (`ticketGroupKeys`). */
  groupKeys: readonly string[];
}

function view(row: Row): AcceptanceView {
  return {
    id: row.id,
    target: row.target,
    reason: row.reason,
    owner: row.owner,
    expiresAt: new Date(row.expires_at).toISOString(),
    acceptedTier: row.accepted_tier,
    state: row.state,
    proposedBy: row.proposed_by,
    proposedAt: new Date(row.proposed_at).toISOString(),
    requestExpiresAt: new Date(row.request_expires_at).toISOString(),
    ...(row.approved_by !== null ? { approvedBy: row.approved_by } : {}),
    ...(row.decided_at !== null ? { decidedAt: new Date(row.decided_at).toISOString() } : {}),
    ...(row.ended_reason !== null ? { endedReason: row.ended_reason } : {}),
    version: row.version,
  };
}

/** What the rules of libs/policy see of a request: its own life, not the acceptance's. */
function asRequest(row: Row) {
  const state: ProposalState =
    row.state === 'pending'
      ? 'pending'
      : row.state === 'withdrawn'
        ? 'withdrawn'
        : row.state === 'rejected'
          ? 'rejected'
          : 'applied';
  return {
    state,
    proposedBy: row.proposed_by,
    expiresAt: row.request_expires_at,
    approval: 'second-person' as const,
  };
}

function published(
  row: Row,
  state: RiskAcceptanceV1['state'],
  decidedAt: Date,
  version: number,
  endedReason?: string,
): RiskAcceptanceV1 {
  return RiskAcceptanceV1.parse({
    id: row.id,
    target: row.target,
    reason: row.reason,
    owner: row.owner,
    expiresAt: new Date(row.expires_at).toISOString(),
    state,
    acceptedTier: row.accepted_tier,
    proposedBy: row.proposed_by,
    approvedBy: row.approved_by,
    decidedAt: decidedAt.toISOString(),
    version,
    ...(endedReason !== undefined ? { endedReason } : {}),
  });
}

/**
 * Risk acceptances: an admin proposes an exception for a finding or a ticket group (reason,
 * owner, expiry), a different approver approves it, and it lapses — published and audited —
 * when it expires or when the finding's risk rises above the tier it was accepted at.
 */
@Injectable()
export class AcceptancesService {
  constructor(
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
    private readonly changes: ChangeRunner,
    private readonly denied: DeniedAttempts,
  ) {}

  async list(state: AcceptanceState | undefined, limit: number): Promise<AcceptanceView[]> {
    let query = this.db
      .selectFrom('risk_acceptances')
      .selectAll()
      .orderBy('proposed_at', 'desc')
      .limit(limit);
    if (state !== undefined) query = query.where('state', '=', state);
    return (await query.execute()).map(view);
  }

  async propose(actor: PersonPrincipal, input: ProposeAcceptanceBody): Promise<AcceptanceView> {
    const id = `ra-${randomUUID()}`;
    return this.denied.guard(
      actor,
      'risk.acceptance.propose',
      { type: 'risk-acceptance', id },
      async () => {
        const roleRefusal = checkPropose(actor);
        if (roleRefusal) throw new Refused(roleRefusal.code, roleRefusal.reason);
        const now = this.clock.now();
        const expiresAt = new Date(input.expiresAt);
        const expiry = checkAcceptanceExpiry(expiresAt, now);
        if (expiry)
          throw new Refused('invalid-request', expiry.reason, [
            { pointer: '/expiresAt', detail: expiry.reason },
          ]);
        let acceptedTier = input.acceptedTier;
        if (acceptedTier === undefined && input.target.kind === 'finding') {
          const finding = await this.db
            .selectFrom('rm_findings')
            .select('tier')
            .where('fingerprint', '=', input.target.fingerprint)
            .executeTakeFirst();
          acceptedTier = finding?.tier;
        }
        if (acceptedTier === undefined)
          throw new Refused(
            'invalid-request',
            'acceptedTier is needed: the finding is not known here yet (or the target is a group)',
            [{ pointer: '/acceptedTier', detail: 'required for this target' }],
          );
        await this.changes.run(async (trx, effects) => {
          await trx
            .insertInto('risk_acceptances')
            .values({
              id,
              target: jsonb(input.target),
              fingerprint: input.target.kind === 'finding' ? input.target.fingerprint : null,
              group_key: input.target.kind === 'group' ? input.target.groupKey : null,
              reason: input.reason,
              owner: input.owner,
              expires_at: expiresAt,
              accepted_tier: acceptedTier,
              state: 'pending',
              proposed_by: actor.id,
              proposed_at: now,
              request_expires_at: expiryOf(now, this.settings.proposalTtlMs),
              approved_by: null,
              decided_at: null,
              version: 0,
              ended_reason: null,
              kev_fingerprints: null,
            })
            .execute();
          effects.audit({
            actor: { type: 'user', id: actor.id },
            action: 'risk.acceptance.proposed',
            entity: { type: 'risk-acceptance', id },
            outcome: 'success',
            details: {
              target: input.target,
              reason: input.reason,
              owner: input.owner,
              expiresAt: expiresAt.toISOString(),
              acceptedTier,
            },
            at: now,
          });
        });
        return this.get(id);
      },
    );
  }

  async approve(
    actor: PersonPrincipal,
    id: string,
    note?: string,
  ): Promise<AcceptanceView & { published: boolean }> {
    return this.denied.guard(
      actor,
      'risk.acceptance.approve',
      { type: 'risk-acceptance', id },
      async () => {
        const now = this.clock.now();
        const committed = await this.changes.run(async (trx, effects) => {
          const row = await this.lock(trx, id);
          const refusal = checkApproval(asRequest(row), { id: actor.id, roles: actor.roles }, now);
          if (refusal) throw new Refused(refusal.code, refusal.reason);
          if (row.expires_at.getTime() <= now.getTime())
            throw new Refused(
              'expired',
              'the acceptance would already have expired; propose a new one',
            );
          const approved = { ...row, approved_by: actor.id };
          const record = published(approved, 'active', now, 1);
          // What the approver accepted includes which covered findings were known exploited.
          const kevFingerprints = await this.listedInKev(trx, row);
          await trx
            .updateTable('risk_acceptances')
            .set({
              state: 'active',
              approved_by: actor.id,
              decided_at: now,
              version: 1,
              kev_fingerprints: jsonb(kevFingerprints),
            })
            .where('id', '=', id)
            .execute();
          effects.publish({ topic: TOPICS.riskAcceptances, key: id, data: record }).audit({
            actor: { type: 'user', id: actor.id },
            action: 'risk.acceptance.approved',
            entity: { type: 'risk-acceptance', id },
            outcome: 'success',
            details: {
              proposedBy: row.proposed_by,
              target: row.target,
              expiresAt: record.expiresAt,
              inKevWhenApproved: kevFingerprints,
              ...(note ? { note } : {}),
            },
            at: now,
          });
        });
        return { ...(await this.get(id)), published: committed.published };
      },
    );
  }

  async reject(actor: PersonPrincipal, id: string, note?: string): Promise<AcceptanceView> {
    return this.denied.guard(
      actor,
      'risk.acceptance.reject',
      { type: 'risk-acceptance', id },
      async () => {
        const now = this.clock.now();
        await this.changes.run(async (trx, effects) => {
          const row = await this.lock(trx, id);
          const request = asRequest(row);
          const decider = { id: actor.id, roles: actor.roles };
          const refusal = checkRejection(request, decider, now);
          if (refusal) throw new Refused(refusal.code, refusal.reason);
          const state = rejectionState(request, decider) === 'withdrawn' ? 'withdrawn' : 'rejected';
          await trx
            .updateTable('risk_acceptances')
            .set({ state, decided_at: now, ended_reason: note ?? null })
            .where('id', '=', id)
            .execute();
          effects.audit({
            actor: { type: 'user', id: actor.id },
            action: `risk.acceptance.${state}`,
            entity: { type: 'risk-acceptance', id },
            outcome: 'success',
            details: { proposedBy: row.proposed_by, ...(note ? { note } : {}) },
            at: now,
          });
        });
        return this.get(id);
      },
    );
  }

  /**
   * Ending an exception early lowers risk tolerance: one admin, at once. The note becomes the
   * published `endedReason`: non-blank and within its limit, as the controller's NoteBody holds.
   */
  async revoke(
    actor: PersonPrincipal,
    id: string,
    note?: string,
  ): Promise<AcceptanceView & { published: boolean }> {
    return this.denied.guard(
      actor,
      'risk.acceptance.revoke',
      { type: 'risk-acceptance', id },
      async () => {
        const now = this.clock.now();
        const committed = await this.changes.run(async (trx, effects) => {
          const row = await this.lock(trx, id);
          if (row.state !== 'active')
            throw new Refused('not-pending', `acceptance ${id} is ${row.state}, not active`);
          await this.end(
            trx,
            effects,
            row,
            'revoked',
            now,
            { type: 'user', id: actor.id },
            note ?? 'revoked',
          );
        });
        return { ...(await this.get(id)), published: committed.published };
      },
    );
  }

  /** Lapses active acceptances that have expired; ends requests nobody approved in time. */
  async expireDue(): Promise<number> {
    const now = this.clock.now();
    const committed = await this.changes.run(
      async (trx, effects) => {
        const rows = await trx
          .selectFrom('risk_acceptances')
          .selectAll()
          .where((eb) =>
            eb.or([
              eb.and([eb('state', '=', 'active'), eb('expires_at', '<=', now)]),
              eb.and([eb('state', '=', 'pending'), eb('request_expires_at', '<=', now)]),
            ]),
          )
          .forUpdate()
          .execute();
        for (const row of rows) {
          if (row.state === 'active')
            await this.end(
              trx,
              effects,
              row,
              'expired',
              now,
              { type: 'system', id: 'policy-admin' },
              'expired',
            );
          else {
            await trx
              .updateTable('risk_acceptances')
              .set({ state: 'request-expired', decided_at: now })
              .where('id', '=', row.id)
              .execute();
            effects.audit({
              actor: { type: 'system', id: 'policy-admin' },
              action: 'risk.acceptance.request-expired',
              entity: { type: 'risk-acceptance', id: row.id },
              outcome: 'success',
              details: {
                proposedBy: row.proposed_by,
                requestExpiresAt: new Date(row.request_expires_at).toISOString(),
              },
              at: now,
            });
          }
        }
        return rows.length;
      },
      { awaitPublication: false },
    );
    return committed.result;
  }

  /**
   * Findings were classified again: every active acceptance that covers one (directly or
   * through one of its ticket groups) lapses when that finding's risk rose above what was
   * accepted — a higher tier, or entry into CISA KEV since the approval (`riskRise`).
   */
  async lapseOnClassification(
    trx: AdminTransaction,
    effects: Effects,
    changes: ReadonlyMap<string, ClassificationSeen>,
  ): Promise<void> {
    if (changes.size === 0) return;
    const fingerprints = [...changes.keys()];
    // Groups as tickets.events listed them, and as the findings' own keys say.
    const listed = await trx
      .selectFrom('rm_ticket_members')
      .select(['group_key', 'fingerprint'])
      .where('fingerprint', 'in', fingerprints)
      .execute();
    const groupsOf = new Map(fingerprints.map((fp) => [fp, new Set(changes.get(fp)!.groupKeys)]));
    for (const { group_key, fingerprint } of listed) groupsOf.get(fingerprint)!.add(group_key);
    const groupKeys = [...new Set([...groupsOf.values()].flatMap((keys) => [...keys]))];
    const rows = await trx
      .selectFrom('risk_acceptances')
      .selectAll()
      .where('state', '=', 'active')
      .where((eb) =>
        eb.or([
          eb('fingerprint', 'in', fingerprints),
          ...(groupKeys.length > 0 ? [eb('group_key', 'in', groupKeys)] : []),
        ]),
      )
      .forUpdate()
      .execute();
    const now = this.clock.now();
    for (const row of rows) {
      const members =
        row.fingerprint !== null
          ? [row.fingerprint]
          : fingerprints.filter((fp) => groupsOf.get(fp)!.has(row.group_key!));
      const risen = members
        .map((fingerprint) => ({
          fingerprint,
          change: changes.get(fingerprint)!,
          rise: this.rise(row, fingerprint, changes.get(fingerprint)),
        }))
        .find((m): m is typeof m & { rise: RiskRise } => m.rise !== undefined);
      if (!risen) continue;
      const { fingerprint, change } = risen;
      await this.end(
        trx,
        effects,
        row,
        'lapsed',
        now,
        { type: 'system', id: 'policy-admin' },
        risen.rise === 'tier'
          ? `risk rose to ${change.tier} on ${fingerprint}`
          : `risk rose: ${fingerprint} entered CISA KEV (tier ${change.tier})`,
        'risk-rose',
        { signal: risen.rise, fingerprint },
      );
    }
  }

  /** How the finding's risk rose above what the acceptance (still in force then) accepted. */
  private rise(
    row: Row,
    fingerprint: string,
    change: ClassificationSeen | undefined,
  ): RiskRise | undefined {
    if (change === undefined || change.at.getTime() >= row.expires_at.getTime()) return undefined;
    return riskRise(
      {
        expiresAt: row.expires_at,
        acceptedTier: row.accepted_tier,
        // Approved before this was kept: KEV is not checked rather than guessed.
        ...(row.kev_fingerprints !== null
          ? { acceptedInKev: row.kev_fingerprints.includes(fingerprint) }
          : {}),
      },
      { tier: change.tier, ...(change.kev !== undefined ? { kev: change.kev } : {}) },
    );
  }

  /**
   * The findings the acceptance covers that the read model knows to be in CISA KEV now. A
   * covered finding not known here yet counts as not listed: if it turns out to be, the
   * acceptance lapses — the safe side of not knowing.
   */
  private async listedInKev(trx: AdminTransaction, row: Row): Promise<string[]> {
    let query = trx.selectFrom('rm_findings').select('fingerprint').where('kev', '=', true);
    if (row.fingerprint !== null) query = query.where('fingerprint', '=', row.fingerprint);
    else {
      const groupKey = row.group_key!;
      query = query.where((eb) =>
        eb.or([
          eb(
            'fingerprint',
            'in',
            eb
              .selectFrom('rm_ticket_members')
              .select('fingerprint')
              .where('group_key', '=', groupKey),
          ),
          eb(
            'fingerprint',
            'in',
            eb
              .selectFrom('rm_finding_groups')
              .select('fingerprint')
              .where('group_key', '=', groupKey),
          ),
        ]),
      );
    }
    return (await query.orderBy('fingerprint').execute()).map((r) => r.fingerprint);
  }

  private async end(
    trx: AdminTransaction,
    effects: Effects,
    row: Row,
    state: 'expired' | 'lapsed' | 'revoked',
    now: Date,
    actor: { type: 'user' | 'system'; id: string },
    reason: string,
    lapse?: LapseReason,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const version = row.version + 1;
    await trx
      .updateTable('risk_acceptances')
      .set({ state, version, decided_at: now, ended_reason: reason })
      .where('id', '=', row.id)
      .execute();
    effects
      .publish({
        topic: TOPICS.riskAcceptances,
        key: row.id,
        data: published(row, state, now, version, reason),
      })
      .audit({
        actor,
        action: `risk.acceptance.${state}`,
        entity: { type: 'risk-acceptance', id: row.id },
        outcome: 'success',
        details: {
          target: row.target,
          acceptedTier: row.accepted_tier,
          reason,
          ...(lapse ? { lapse } : {}),
          ...extra,
          version,
        },
        at: now,
      });
  }

  private async lock(trx: AdminTransaction, id: string): Promise<Row> {
    const row = await trx
      .selectFrom('risk_acceptances')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new Refused('not-found', `no risk acceptance ${id}`);
    return row;
  }

  private async get(id: string): Promise<AcceptanceView> {
    return view(
      await this.db
        .selectFrom('risk_acceptances')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
    );
  }
}
