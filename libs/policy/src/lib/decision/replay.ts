import type { FindingV1, RemediationTier, RiskTier } from '@hum/contracts';
import type { PolicySnapshot } from '../policy-snapshot';
import {
  type AttemptStatus,
  type BudgetUsage,
  decidePatch,
  type PatchDecision,
  type PriorAttempt,
  type RemediationDecision,
  UNOWNED_TEAM,
} from './decide';
import type { FixOptions } from './fix-version';
import { BUDGET_REASONS, type DecisionReason } from './reasons';

export interface ReplayItem {
  readonly finding: FindingV1;
  readonly tier: RiskTier;
  /** When the patcher saw it (the classified event's time). */
  readonly at: Date;
}

export interface ReplayOptions {
  /** The policy to evaluate, e.g. the current one with a proposed mode change applied. */
  readonly policy: PolicySnapshot;
  /** How long a replayed patch counts as in flight. Default 10 minutes. */
  readonly assumedPatchDurationMs?: number;
  /** Attempts that really happened before the replayed period, by fingerprint. */
  readonly history?: ReadonlyMap<string, readonly PriorAttempt[]>;
  readonly autoPaused?: (tier: RemediationTier) => boolean;
  readonly fixOptions?: FixOptions;
}

export interface ReplayTally {
  apply: number;
  plan: number;
  skip: number;
}

export interface ReplayResult {
  /** In time order; `ignore` for tiers automation never acts on (info). */
  readonly decisions: ReadonlyArray<{
    readonly item: ReplayItem;
    readonly decision: PatchDecision;
  }>;
  readonly total: ReplayTally;
  readonly byTeam: Readonly<Record<string, ReplayTally>>;
  readonly byTier: Readonly<Partial<Record<RemediationTier, ReplayTally>>>;
  /** How often each reason stood in the way. */
  readonly reasons: Readonly<Partial<Record<DecisionReason, number>>>;
  /** Budgets that refused at least one patch that nothing else refused, and how often. */
  readonly budgetsBound: Readonly<Partial<Record<DecisionReason, number>>>;
}

interface Started {
  readonly tier: RemediationTier;
  readonly team: string;
  readonly at: number;
}

const HOUR_MS = 3_600_000;

/**
 * The what-if view: replays findings in time order through {@link decidePatch} under a policy,
 * as if each `apply` or `plan` had started a patch that ran for the assumed duration and
 * consumed budget. Answers "how many patches would this policy have made, per team, and which
 * budgets would have bound". Pure, like the decision itself.
 */
export function replayDecisions(
  items: readonly ReplayItem[],
  options: ReplayOptions,
): ReplayResult {
  const duration = options.assumedPatchDurationMs ?? 600_000;
  const ordered = [...items].sort((a, b) => a.at.getTime() - b.at.getTime());
  const started: Started[] = [];
  const attempts = new Map<string, PriorAttempt[]>();
  for (const [fingerprint, prior] of options.history ?? []) attempts.set(fingerprint, [...prior]);

  const decisions: Array<{ item: ReplayItem; decision: PatchDecision }> = [];
  const total: ReplayTally = { apply: 0, plan: 0, skip: 0 };
  const byTeam: Record<string, ReplayTally> = {};
  const byTier: Partial<Record<RemediationTier, ReplayTally>> = {};
  const reasons: Partial<Record<DecisionReason, number>> = {};
  const budgetsBound: Partial<Record<DecisionReason, number>> = {};

  for (const item of ordered) {
    const now = item.at.getTime();
    const team = item.finding.asset.team;
    const usage = (tier: RiskTier, teamName: string): BudgetUsage => {
      let tierLastHour = 0;
      let tierInFlight = 0;
      let teamLastHour = 0;
      let teamInFlight = 0;
      for (const s of started) {
        if (s.tier !== tier || s.at > now) continue;
        if (now - s.at < HOUR_MS) {
          tierLastHour += 1;
          if (s.team === teamName) teamLastHour += 1;
        }
        if (now - s.at < duration) {
          tierInFlight += 1;
          if (s.team === teamName) teamInFlight += 1;
        }
      }
      return { tierLastHour, tierInFlight, teamLastHour, teamInFlight };
    };
    const decision = decidePatch({
      finding: item.finding,
      tier: item.tier,
      policy: options.policy,
      usage: usage(item.tier, team ?? UNOWNED_TEAM),
      history: attempts.get(item.finding.fingerprint) ?? [],
      now: item.at,
      autoPaused:
        options.autoPaused !== undefined && item.tier !== 'info' && options.autoPaused(item.tier),
      ...(options.fixOptions ? { fixOptions: options.fixOptions } : {}),
    });
    decisions.push({ item, decision });
    if (decision.outcome === 'ignore') continue;
    count(total, decision);
    count((byTeam[decision.team] ??= { apply: 0, plan: 0, skip: 0 }), decision);
    count((byTier[decision.tier] ??= { apply: 0, plan: 0, skip: 0 }), decision);
    for (const reason of decision.reasons) reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (
      decision.reasons.length > 0 &&
      decision.reasons.every((reason) => BUDGET_REASONS.includes(reason))
    ) {
      for (const reason of decision.reasons) budgetsBound[reason] = (budgetsBound[reason] ?? 0) + 1;
    }
    if (decision.outcome !== 'skip') {
      started.push({ tier: decision.tier, team: decision.team, at: now });
      // Assumed to succeed: the same fingerprint+fix later counts as already applied.
      const status: AttemptStatus = 'applied';
      const list = attempts.get(item.finding.fingerprint) ?? [];
      list.push({ attemptKey: decision.attemptKey, status });
      attempts.set(item.finding.fingerprint, list);
    }
  }
  return { decisions, total, byTeam, byTier, reasons, budgetsBound };
}

function count(tally: ReplayTally, decision: RemediationDecision): void {
  tally[decision.outcome] += 1;
}
