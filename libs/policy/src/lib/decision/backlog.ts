import type { RemediationTier } from '@hum/contracts';
import { effectiveTier, type PolicySnapshot } from '../policy-snapshot';
import { BUDGET_REASONS, type DecisionReason } from './reasons';

/**
 * How far a tier's gates are open: 0 nothing may happen (off, kill switch, paused, policy not
 * loaded), 1 plans may be recorded (dry-run), 2 patches may be applied (on).
 */
export type GateLevel = 0 | 1 | 2;

export function gateLevel(
  policy: PolicySnapshot,
  tier: RemediationTier,
  autoPaused: boolean,
): GateLevel {
  const tierPolicy = effectiveTier(policy, tier);
  if (!policy.loaded || policy.global.killSwitch || tierPolicy.paused || autoPaused) return 0;
  return tierPolicy.mode === 'on' ? 2 : tierPolicy.mode === 'dry-run' ? 1 : 0;
}

/**
 * What a change of a tier's gate level means for the findings it left undecided. A raise
 * (off -> dry-run, off/dry-run -> on, kill switch released, tier resumed) starts a backlog
 * sweep: the open findings of the tier go through the decision again. A drop (mode lowered,
 * kill switch engaged, tier paused) stops any sweep in progress. `previous` undefined: never
 * recorded, taken as closed.
 */
export function backlogTransition(
  previous: GateLevel | undefined,
  next: GateLevel,
): 'start' | 'stop' | 'none' {
  const before = previous ?? 0;
  if (next > before) return 'start';
  if (next < before) return 'stop';
  return 'none';
}

/** Reasons that close the gate itself: a sweep meeting them is stopped, not answered. */
const GATE_CLOSED: readonly DecisionReason[] = [
  'policy-not-loaded',
  'kill-switch',
  'tier-off',
  'tier-paused',
];

/** Budgets of the whole tier: once one is used up, the rest of the backlog waits too. */
const TIER_BUDGETS: readonly DecisionReason[] = ['budget-tier-hourly', 'budget-tier-in-flight'];

/**
 * Obstacles that pass by themselves: budgets refill, a closed gate reopens, a freeze window
 * ends. A freeze is a date on the calendar, not a verdict on the patch (a deny list is).
 */
const TEMPORARY: readonly DecisionReason[] = [...BUDGET_REASONS, ...GATE_CLOSED, 'asset-frozen'];

/**
 * What a backlog sweep does with one decision. A finding held back only by temporary obstacles
 * (budgets, a gate that closed while the sweep ran, an open freeze window) is `deferred`: no
 * event, it stays in the backlog and is decided when the obstacle is gone, so a backlog larger
 * than the budget drains at the budget's rate and a freeze delays patches instead of skipping
 * them for good. Anything else is `decided` and reported as usual. `tierExhausted`: a tier-wide
 * budget is used up, so the sweep's pass can stop here.
 */
export function backlogDisposition(reasons: readonly string[]): {
  readonly disposition: 'decided' | 'deferred';
  readonly tierExhausted: boolean;
} {
  const deferrable = (r: string): boolean => (TEMPORARY as readonly string[]).includes(r);
  const deferred = reasons.length > 0 && reasons.every(deferrable);
  return {
    disposition: deferred ? 'deferred' : 'decided',
    tierExhausted:
      deferred &&
      reasons.some(
        (r) =>
          (TIER_BUDGETS as readonly string[]).includes(r) ||
          (GATE_CLOSED as readonly string[]).includes(r),
      ),
  };
}
