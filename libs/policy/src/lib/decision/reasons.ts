import type { FixRefusal } from './fix-version';

/**
 * Why a patch was not applied: the machine-readable `reasons` of a remediation event, in the
 * order the decision table checks them (docs/patching.md). Stable strings: dashboards, the
 * policy console and the dispatcher key on them.
 */
export const DECISION_REASONS = {
  'policy-not-loaded': 'the policy topic has not been read to its end yet: everything is off',
  'kill-switch': 'the global kill switch is engaged',
  'tier-off': "the tier's mode is off",
  'tier-paused': 'the tier is paused (failure-rate breaker or an operator)',
  'no-component': 'the finding names no component to upgrade',
  'no-fix-version': 'the advisory names no fixed version',
  'unknown-version-ordering': "the component's ecosystem has no known version ordering",
  'installed-version-unknown': 'the installed version is not known',
  'installed-version-unparseable': "the installed version does not parse in the ecosystem's scheme",
  'no-fix-above-installed': 'no fixed version is a release above the installed one',
  'fix-requires-major-upgrade': 'the lowest fix is on another major line',
  'asset-denied': 'the asset is on the deny list',
  'asset-frozen': 'a freeze window covers the asset now',
  'already-applied': 'this fix was already applied to this finding',
  'already-attempted': 'this fix was already attempted for this finding',
  'attempt-in-flight': 'another fix for this finding is still in flight',
  'budget-tier-hourly': "the tier's patches-per-hour budget is used up",
  'budget-tier-in-flight': "the tier's in-flight budget is used up",
  'budget-team-hourly': "the team's patches-per-hour budget in this tier is used up",
  'budget-team-in-flight': "the team's in-flight budget in this tier is used up",
} as const satisfies Record<string, string> & Record<FixRefusal, string>;

export type DecisionReason = keyof typeof DECISION_REASONS;

export const BUDGET_REASONS: readonly DecisionReason[] = [
  'budget-tier-hourly',
  'budget-tier-in-flight',
  'budget-team-hourly',
  'budget-team-in-flight',
];
