import {
  type GlobalPolicyV1,
  type PolicyStateV1,
  REMEDIATION_TIERS,
  type RemediationTier,
  type TierPolicyV1,
} from '@hum/contracts';

/** Default SLA days per tier (docs/policy.md): critical 7, high 30, medium 90, low 180. */
export const DEFAULT_SLA_DAYS: Readonly<Record<RemediationTier, number>> = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 180,
};

const EPOCH = '1970-01-01T00:00:00.000Z';

/** Safe until someone decides: every tier off, nothing paused, conservative budgets. */
export function defaultTierPolicy(tier: RemediationTier): TierPolicyV1 {
  return {
    kind: 'tier',
    tier,
    mode: 'off',
    paused: false,
    budgets: { patchesPerHour: 10, maxInFlight: 3, perTeamPerHour: 3 },
    slaDays: DEFAULT_SLA_DAYS[tier],
    version: 0,
    updatedAt: EPOCH,
    decidedBy: [],
  };
}

export function defaultGlobalPolicy(): GlobalPolicyV1 {
  return {
    kind: 'global',
    killSwitch: false,
    freezeWindows: [],
    denyList: [],
    // Nothing high or above may be open when promoting into prod; test tolerates high.
    gate: { test: 'high', prod: 'medium' },
    version: 0,
    updatedAt: EPOCH,
    decidedBy: [],
  };
}

/** The whole policy as one immutable value, as a service sees it at a moment. */
export interface PolicySnapshot {
  readonly tiers: Readonly<Record<RemediationTier, TierPolicyV1>>;
  readonly global: GlobalPolicyV1;
  /**
   * False until the policy topic has been read to its end at start: until then (or if it
   * cannot be read) services act as if every tier were off.
   */
  readonly loaded: boolean;
}

export function defaultPolicySnapshot(): PolicySnapshot {
  return {
    tiers: Object.fromEntries(REMEDIATION_TIERS.map((t) => [t, defaultTierPolicy(t)])) as Record<
      RemediationTier,
      TierPolicyV1
    >,
    global: defaultGlobalPolicy(),
    loaded: false,
  };
}

/** Applies one policy.state record; older versions than what is held are ignored. */
export function applyPolicyRecord(snapshot: PolicySnapshot, record: PolicyStateV1): PolicySnapshot {
  if (record.kind === 'global') {
    if (record.version < snapshot.global.version) return snapshot;
    return { ...snapshot, global: record };
  }
  if (record.version < snapshot.tiers[record.tier].version) return snapshot;
  return { ...snapshot, tiers: { ...snapshot.tiers, [record.tier]: record } };
}

/**
 * What automation a service may act on right now: a snapshot that is not loaded yet is
 * treated as all-off, whatever it holds.
 */
export function effectiveTier(snapshot: PolicySnapshot, tier: RemediationTier): TierPolicyV1 {
  const held = snapshot.tiers[tier];
  return snapshot.loaded ? held : { ...held, mode: 'off' };
}

/** A short version string for events and audit: `tier:low@3` or `global@5`. */
export function policyVersionOf(record: PolicyStateV1): string {
  return record.kind === 'tier'
    ? `tier:${record.tier}@${record.version}`
    : `global@${record.version}`;
}
