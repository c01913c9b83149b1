import { appendAudit, type AuditDraft, type AuditTables } from '@hum/audit';
import type { RemediationEventV1, RemediationTier, TOPICS } from '@hum/contracts';
import type { InboundEvent, LedgerTransaction, OutgoingEvent } from '@hum/kafka';
import { type PatchingConfig, selectPatchTarget, type PatchTarget } from '@hum/patching';
import { jsonb } from '@hum/persistence';
import {
  backlogDisposition,
  type BudgetUsage,
  decidePatch,
  type FixOptions,
  isRemediationTier,
  type PolicySnapshot,
  type PriorAttempt,
  type RemediationDecision,
} from '@hum/policy';
import { SERVICE_NAME } from '../config';
import type { AttemptStatus, ClassifiedState, PatcherTables } from '../store/schema';
import { auditOutput, patchAudit, remediationEvent, remediationOutput } from './remediation-events';

type Trx = LedgerTransaction<PatcherTables & AuditTables>;
type ClassifiedEvent = InboundEvent<typeof TOPICS.findingsClassified.schema>;

const HOUR_MS = 3_600_000;
const IN_FLIGHT: readonly AttemptStatus[] = ['queued', 'running', 'awaiting-result'];
const COUNTED: readonly AttemptStatus[] = [...IN_FLIGHT, 'applied', 'failed'];

export interface DecisionInputs {
  readonly policy: () => PolicySnapshot;
  readonly patching: PatchingConfig;
  readonly fixOptions: FixOptions;
}

export interface DecisionStats {
  outcomes: Record<string, number>;
  queued: number;
}

/** A decision, widened so strategy selection can add its own reasons (`no-strategy`...). */
type Decision = Omit<RemediationDecision, 'reasons'> & { reasons: readonly string[] };

interface Counted {
  tier: RemediationTier;
  team: string;
  mode: string;
  status: AttemptStatus;
  decidedAt: number;
}

/** Budget use per tier and team, counted once from the ledger and kept current through the batch. */
class Usage {
  constructor(
    private readonly rows: Counted[],
    private readonly now: number,
  ) {}

  of(tier: RemediationTier, team: string, mode: string): BudgetUsage {
    let tierLastHour = 0;
    let tierInFlight = 0;
    let teamLastHour = 0;
    let teamInFlight = 0;
    for (const row of this.rows) {
      if (row.tier !== tier) continue;
      // A dry-run plan spends the budget it would have spent, so plans respect budgets too.
      const counts =
        COUNTED.includes(row.status) || (mode === 'dry-run' && row.status === 'planned');
      if (counts && this.now - row.decidedAt < HOUR_MS) {
        tierLastHour += 1;
        if (row.team === team) teamLastHour += 1;
      }
      if (IN_FLIGHT.includes(row.status)) {
        tierInFlight += 1;
        if (row.team === team) teamInFlight += 1;
      }
    }
    return { tierLastHour, tierInFlight, teamLastHour, teamInFlight };
  }

  add(row: Counted): void {
    this.rows.push(row);
  }
}

/** One finding to decide: `id` keys its outputs (a Kafka offset, or a fingerprint in a sweep). */
export interface DecisionItem {
  readonly id: string;
  readonly data: ClassifiedState;
}

export interface DecisionOptions {
  /**
   * A backlog sweep: findings held back only by budgets (or a gate closed under the sweep)
   * are deferred, with no event, instead of skipped (`backlogDisposition`).
   */
  readonly backlog?: boolean;
}

export interface DecisionResult {
  outputs: Map<string, OutgoingEvent[]>;
  stats: DecisionStats;
  /** Items a sweep deferred (not decided), by id; always empty outside a sweep. */
  deferred: Set<string>;
  /** A sweep met a used-up tier-wide budget or a closed gate: the rest of its tier waits. */
  tierExhausted: Set<RemediationTier>;
}

/**
 * Decides a batch of classified findings inside the consumer-ledger transaction (see
 * `decideFindings`).
 */
export async function decideClassified(
  trx: Trx,
  events: readonly ClassifiedEvent[],
  inputs: DecisionInputs,
  now: Date,
): Promise<{ outputs: Map<string, OutgoingEvent[]>; stats: DecisionStats }> {
  const { outputs, stats } = await decideFindings(
    trx,
    events.map((e) => ({ id: e.offset, data: e.data })),
    inputs,
    now,
  );
  return { outputs, stats };
}

/**
 * Decides findings in the caller's transaction: per tier the budget rows are locked (replicas
 * decide one at a time per tier), usage, history and the breaker's pauses are read, and each
 * finding goes through the pure decision, then strategy selection. `apply` writes a queued
 * attempt (the ledger entry that precedes any side effect); `plan` and `skip` leave a
 * remediation event. Every decision is audited. The classified consumer and the backlog
 * sweep both come here, so a finding decided late is decided exactly as one that just arrived.
 */
export async function decideFindings(
  trx: Trx,
  items: readonly DecisionItem[],
  inputs: DecisionInputs,
  now: Date,
  options: DecisionOptions = {},
): Promise<DecisionResult> {
  const outputs = new Map<string, OutgoingEvent[]>();
  const stats: DecisionStats = { outcomes: {}, queued: 0 };
  const deferred = new Set<string>();
  const tierExhausted = new Set<RemediationTier>();
  const relevant = items.filter((e) => isRemediationTier(e.data.classification.tier));
  if (relevant.length === 0) return { outputs, stats, deferred, tierExhausted };
  const tiers = [
    ...new Set(relevant.map((e) => e.data.classification.tier as RemediationTier)),
  ].sort();
  await trx
    .selectFrom('tier_budget_locks')
    .select('tier')
    .where('tier', 'in', tiers)
    .orderBy('tier')
    .forUpdate()
    .execute();

  const paused = new Set(
    (
      await trx
        .selectFrom('tier_pauses')
        .select('tier')
        .where('tier', 'in', tiers)
        .where('resumed_at', 'is', null)
        .execute()
    ).map((row) => row.tier),
  );
  const fingerprints = [...new Set(relevant.map((e) => e.data.finding.fingerprint))];
  const history = new Map<string, PriorAttempt[]>();
  for (let i = 0; i < fingerprints.length; i += 1_000) {
    const rows = await trx
      .selectFrom('patch_attempts')
      .select(['fingerprint', 'attempt_key', 'status'])
      .where('fingerprint', 'in', fingerprints.slice(i, i + 1_000))
      .execute();
    for (const row of rows)
      history.set(row.fingerprint, [
        ...(history.get(row.fingerprint) ?? []),
        {
          attemptKey: row.attempt_key,
          status: row.status === 'awaiting-result' ? 'running' : row.status,
        },
      ]);
  }
  const since = new Date(now.getTime() - HOUR_MS);
  const usageRows = await trx
    .selectFrom('patch_attempts')
    .select(['tier', 'team', 'mode', 'status', 'decided_at'])
    .where('tier', 'in', tiers)
    .where((eb) => eb.or([eb('decided_at', '>', since), eb('status', 'in', [...IN_FLIGHT])]))
    .execute();
  const usage = new Usage(
    usageRows.map((r) => ({
      tier: r.tier,
      team: r.team,
      mode: r.mode,
      status: r.status,
      decidedAt: new Date(r.decided_at).getTime(),
    })),
    now.getTime(),
  );

  const drafts: Array<{ offset: string; draft: AuditDraft }> = [];
  for (const event of relevant) {
    const { finding, classification } = event.data;
    const team = finding.asset.team ?? 'unowned';
    const policy = inputs.policy();
    const tier = classification.tier as RemediationTier;
    const decided = decidePatch({
      finding,
      tier,
      policy,
      usage: usage.of(tier, team, policy.tiers[tier].mode),
      history: history.get(finding.fingerprint) ?? [],
      now,
      autoPaused: paused.has(tier),
      fixOptions: inputs.fixOptions,
    });
    if (decided.outcome === 'ignore') continue;
    if (options.backlog) {
      const step = backlogDisposition(decided.reasons);
      if (step.tierExhausted) tierExhausted.add(tier);
      if (step.disposition === 'deferred') {
        deferred.add(event.id);
        continue;
      }
    }
    let decision: Decision = decided;
    let target: PatchTarget | undefined;
    if (decision.outcome !== 'skip' && decision.fix !== undefined) {
      const choice = selectPatchTarget(inputs.patching, finding, decision.fix);
      if (choice.ok) target = choice.target;
      else
        decision = {
          ...decision,
          outcome: 'skip',
          reasons: [choice.reason],
          notes: [choice.detail],
        };
    }
    stats.outcomes[decision.outcome] = (stats.outcomes[decision.outcome] ?? 0) + 1;
    const status =
      decision.outcome === 'apply' ? 'queued' : decision.outcome === 'plan' ? 'planned' : undefined;
    const remediation: RemediationEventV1 = remediationEvent({
      attemptKey: decision.attemptKey,
      finding,
      tier,
      status: decision.outcome === 'plan' ? 'planned' : 'skipped',
      reasons: decision.reasons,
      notes: decision.notes,
      ...(target ? { strategy: target.strategy } : {}),
      ...(decision.fix ? { fix: decision.fix } : {}),
      policyVersion: decision.policyVersion,
      decidedAt: now,
    });
    if (status !== undefined && target !== undefined && decision.fix !== undefined) {
      await trx
        .insertInto('patch_attempts')
        .values({
          attempt_key: decision.attemptKey,
          fingerprint: finding.fingerprint,
          tier,
          team,
          asset_id: finding.asset.id,
          mode: status === 'queued' ? 'on' : 'dry-run',
          status,
          strategy: target.strategy,
          payload: jsonb({ classified: { finding, classification }, fix: decision.fix, target }),
          policy_version: decision.policyVersion,
          decided_at: now,
          tries: 0,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc
            .column('attempt_key')
            .doUpdateSet((eb) => ({
              status: eb.ref('excluded.status'),
              mode: eb.ref('excluded.mode'),
              payload: eb.ref('excluded.payload'),
              strategy: eb.ref('excluded.strategy'),
              policy_version: eb.ref('excluded.policy_version'),
              decided_at: eb.ref('excluded.decided_at'),
              tries: 0,
              not_before: null,
              lease_owner: null,
              lease_until: null,
              started_at: null,
              finished_at: null,
              outcome_reason: null,
              outcome_detail: null,
              url: null,
              updated_at: eb.ref('excluded.updated_at'),
            }))
            // Only a plan or a never-started attempt may be decided again.
            .where('patch_attempts.status', 'in', ['planned', 'cancelled']),
        )
        .execute();
      usage.add({ tier, team, mode: policy.tiers[tier].mode, status, decidedAt: now.getTime() });
      history.set(finding.fingerprint, [
        ...(history.get(finding.fingerprint) ?? []),
        { attemptKey: decision.attemptKey, status },
      ]);
    }
    const list = outputs.get(event.id) ?? [];
    if (decision.outcome === 'apply') {
      stats.queued += 1;
      // The event of an applied patch is its outcome (applied/failed), sent by the executor.
      drafts.push({
        offset: event.id,
        draft: patchAudit(
          { ...remediation, ...(target ? { strategy: target.strategy } : {}) },
          'queued',
          now,
        ),
      });
    } else {
      list.push(remediationOutput(remediation));
      drafts.push({
        offset: event.id,
        draft: patchAudit(remediation, decision.outcome === 'plan' ? 'planned' : 'skipped', now),
      });
    }
    outputs.set(event.id, list);
  }
  const entries = await appendAudit(
    trx,
    SERVICE_NAME,
    drafts.map((d) => d.draft),
  );
  entries.forEach((entry, i) => outputs.get(drafts[i]!.offset)!.push(auditOutput(entry)));
  return { outputs, stats, deferred, tierExhausted };
}
