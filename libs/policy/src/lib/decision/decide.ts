import type {
  FindingV1,
  RemediationMode,
  RemediationTier,
  RiskTier,
  TierPolicyV1,
} from '@hum/contracts';
import { REMEDIATION_TIERS } from '@hum/contracts';
import { effectiveTier, type PolicySnapshot, policyVersionOf } from '../policy-snapshot';
import { activeFreezeFor, denyEntryFor } from './asset-rules';
import { chooseFixVersion, type FixOptions, type FixVersion } from './fix-version';
import { DECISION_REASONS, type DecisionReason } from './reasons';

/** Patches of one tier, counted by the caller at decision time. */
export interface BudgetUsage {
  /** Started in the hour before `now` (still running, applied or failed). */
  readonly tierLastHour: number;
  /** Started and not finished yet. */
  readonly tierInFlight: number;
  /** Started in the hour before `now` for the finding's team. */
  readonly teamLastHour: number;
  /** Started and not finished yet for the finding's team. */
  readonly teamInFlight: number;
}

export const NO_USAGE: BudgetUsage = {
  tierLastHour: 0,
  tierInFlight: 0,
  teamLastHour: 0,
  teamInFlight: 0,
};

/**
 * What became of an earlier decision for the same fingerprint. `planned` (dry-run) and
 * `cancelled` (stopped before any side effect) do not count as attempts.
 */
export type AttemptStatus = 'planned' | 'queued' | 'running' | 'applied' | 'failed' | 'cancelled';

export interface PriorAttempt {
  readonly attemptKey: string;
  readonly status: AttemptStatus;
}

export interface DecisionInput {
  readonly finding: FindingV1;
  /** The classifier's tier for the finding. */
  readonly tier: RiskTier;
  readonly policy: PolicySnapshot;
  readonly usage: BudgetUsage;
  /** Earlier attempts for this fingerprint (any fix). */
  readonly history: readonly PriorAttempt[];
  /** The moment of decision: freeze windows are evaluated at it. */
  readonly now: Date;
  /** The patcher's own failure-rate pause of this tier (policy.state has its own flag). */
  readonly autoPaused?: boolean;
  readonly fixOptions?: FixOptions;
}

export interface RemediationDecision {
  /** `apply` only in mode on with no reason against; `plan` the same in dry-run. */
  readonly outcome: 'apply' | 'plan' | 'skip';
  readonly tier: RemediationTier;
  /** The effective mode (off until the policy is loaded). */
  readonly mode: RemediationMode;
  /** `<fingerprint>:<toVersion>` (or `:no-fix`): the idempotency key of the patch. */
  readonly attemptKey: string;
  readonly fix: FixVersion | undefined;
  /** Empty for apply and plan; otherwise every check that failed, in the table's order. */
  readonly reasons: readonly DecisionReason[];
  /** One sentence per reason, for people. */
  readonly notes: readonly string[];
  /** The asset's team, or `unowned`: the key of the per-team budget. */
  readonly team: string;
  /** `tier:<tier>@<v>+global@<v>`: the policy the decision was made under. */
  readonly policyVersion: string;
}

export type PatchDecision =
  { readonly outcome: 'ignore'; readonly reason: 'tier-not-remediable' } | RemediationDecision;

export const UNOWNED_TEAM = 'unowned';

export function isRemediationTier(tier: RiskTier): tier is RemediationTier {
  return (REMEDIATION_TIERS as readonly string[]).includes(tier);
}

export function attemptKeyOf(fingerprint: string, fix: FixVersion | undefined): string {
  return `${fingerprint}:${fix?.toVersion ?? 'no-fix'}`;
}

export function decisionPolicyVersion(policy: PolicySnapshot, tier: RemediationTier): string {
  return `${policyVersionOf(policy.tiers[tier])}+${policyVersionOf(policy.global)}`;
}

class Findings {
  readonly reasons: DecisionReason[] = [];
  readonly notes: string[] = [];

  add(reason: DecisionReason, note: string = DECISION_REASONS[reason]): void {
    this.reasons.push(reason);
    this.notes.push(note);
  }
}

/**
 * The gates that must hold at the moment a patch starts, not only when it was decided: the
 * policy is loaded, the kill switch is off, the tier is on and not paused, and the asset is
 * neither denied nor frozen. The executor re-checks them before any side effect.
 */
export function gateReasons(input: {
  readonly policy: PolicySnapshot;
  readonly tier: RemediationTier;
  readonly assetId: string;
  readonly now: Date;
  readonly autoPaused?: boolean;
  /** `dry-run` is enough to plan; applying needs `on`. */
  readonly requiredMode?: 'on' | 'dry-run-or-on';
}): { reasons: DecisionReason[]; notes: string[]; policy: TierPolicyV1 } {
  const found = new Findings();
  const tierPolicy = effectiveTier(input.policy, input.tier);
  const global = input.policy.global;
  if (!input.policy.loaded) found.add('policy-not-loaded');
  if (global.killSwitch) found.add('kill-switch');
  const modeOk =
    tierPolicy.mode === 'on' || (tierPolicy.mode === 'dry-run' && input.requiredMode !== 'on');
  if (input.policy.loaded && !modeOk)
    found.add('tier-off', `the ${input.tier} tier's mode is ${tierPolicy.mode}`);
  if (tierPolicy.paused || input.autoPaused)
    found.add(
      'tier-paused',
      tierPolicy.paused
        ? `the ${input.tier} tier is paused in policy.state`
        : `the ${input.tier} tier was paused by the patcher's failure-rate breaker`,
    );
  const denied = denyEntryFor(global, input.assetId);
  if (denied !== undefined)
    found.add('asset-denied', `asset ${input.assetId} matches deny-list entry "${denied}"`);
  const freeze = activeFreezeFor(global, input.assetId, input.now);
  if (freeze !== undefined)
    found.add(
      'asset-frozen',
      `freeze window ${freeze.start}..${freeze.end} covers ${input.assetId}: ${freeze.reason}`,
    );
  return { reasons: found.reasons, notes: found.notes, policy: tierPolicy };
}

/**
 * Decides what to do about one classified finding. Pure: the same input always gives the same
 * decision, so the policy console's what-if view replays stored findings through it. Every
 * check is evaluated and every failing one reported, so a skip says all that stood in the way.
 *
 * | check | reason |
 * |---|---|
 * | policy read to its end | policy-not-loaded |
 * | kill switch off | kill-switch |
 * | tier mode `on` (or `dry-run` to plan) | tier-off |
 * | tier not paused (policy or breaker) | tier-paused |
 * | a fixed version above the installed one, same major line | no-component … fix-requires-major-upgrade |
 * | asset not on the deny list | asset-denied |
 * | no freeze window open on the asset | asset-frozen |
 * | fingerprint+fix never applied/attempted, nothing else in flight | already-applied, already-attempted, attempt-in-flight |
 * | tier hourly, tier in-flight, team hourly, team in-flight budgets | budget-tier-hourly, budget-tier-in-flight, budget-team-hourly, budget-team-in-flight |
 */
export function decidePatch(input: DecisionInput): PatchDecision {
  if (!isRemediationTier(input.tier)) return { outcome: 'ignore', reason: 'tier-not-remediable' };
  const tier = input.tier;
  const { finding, usage } = input;
  const gates = gateReasons({
    policy: input.policy,
    tier,
    assetId: finding.asset.id,
    now: input.now,
    autoPaused: input.autoPaused ?? false,
    requiredMode: 'dry-run-or-on',
  });
  const found = new Findings();
  // Gates first, then the fix, then the asset rules (part of the gates), then history, budgets.
  const assetReasons = new Set<DecisionReason>(['asset-denied', 'asset-frozen']);
  gates.reasons.forEach((reason, i) => {
    if (!assetReasons.has(reason)) found.add(reason, gates.notes[i]);
  });
  const choice = chooseFixVersion(finding.component, input.fixOptions);
  if (!choice.ok) found.add(choice.reason, choice.detail);
  gates.reasons.forEach((reason, i) => {
    if (assetReasons.has(reason)) found.add(reason, gates.notes[i]);
  });
  const fix = choice.ok ? choice.fix : undefined;
  const attemptKey = attemptKeyOf(finding.fingerprint, fix);
  if (fix !== undefined) {
    const same = input.history.filter((a) => a.attemptKey === attemptKey);
    if (same.some((a) => a.status === 'applied'))
      found.add('already-applied', `${fix.component} ${fix.toVersion} was already applied`);
    else if (same.some((a) => ['queued', 'running', 'failed'].includes(a.status)))
      found.add(
        'already-attempted',
        `${fix.component} ${fix.toVersion} was already attempted for this finding`,
      );
    else if (
      input.history.some(
        (a) => a.attemptKey !== attemptKey && (a.status === 'queued' || a.status === 'running'),
      )
    )
      found.add('attempt-in-flight');
  }
  const budgets = gates.policy.budgets;
  if (usage.tierLastHour >= budgets.patchesPerHour)
    found.add(
      'budget-tier-hourly',
      `${usage.tierLastHour} of ${budgets.patchesPerHour} ${tier} patches used in the last hour`,
    );
  if (usage.tierInFlight >= budgets.maxInFlight)
    found.add(
      'budget-tier-in-flight',
      `${usage.tierInFlight} of ${budgets.maxInFlight} ${tier} patches in flight`,
    );
  if (usage.teamLastHour >= budgets.perTeamPerHour)
    found.add(
      'budget-team-hourly',
      `${usage.teamLastHour} of ${budgets.perTeamPerHour} ${tier} patches used by the team in the last hour`,
    );
  // Absent, the team's cap is the tier's maxInFlight (teamInFlightBudget), checked just above:
  // reporting it again would name a budget nobody set.
  if (budgets.perTeamInFlight !== undefined && usage.teamInFlight >= budgets.perTeamInFlight)
    found.add(
      'budget-team-in-flight',
      `${usage.teamInFlight} of ${budgets.perTeamInFlight} ${tier} patches of the team in flight`,
    );

  const mode = gates.policy.mode;
  return {
    outcome: found.reasons.length > 0 ? 'skip' : mode === 'on' ? 'apply' : 'plan',
    tier,
    mode,
    attemptKey,
    fix,
    reasons: found.reasons,
    notes: found.notes,
    team: finding.asset.team ?? UNOWNED_TEAM,
    policyVersion: decisionPolicyVersion(input.policy, tier),
  };
}
