import { PolicyStateV1, type RemediationTier, type TierPolicyV1 } from '@hum/contracts';
import type { PolicySnapshot } from '../policy-snapshot';
import type { PolicyChange } from './policy-change';

/** Who decided a new record, and when; the version is always the held one plus one. */
export interface DecisionStamp {
  at: Date;
  /** Proposer first, then the approver when there was one. */
  decidedBy: readonly string[];
  proposalId?: string;
}

function stamp(version: number, decision: DecisionStamp) {
  return {
    version: version + 1,
    updatedAt: decision.at.toISOString(),
    decidedBy: [...decision.decidedBy],
    ...(decision.proposalId !== undefined ? { proposalId: decision.proposalId } : {}),
  };
}

/**
 * The record a decided change produces: the held record with the change's fields, the next
 * version and who decided. Validated against the contract, so nothing unpublishable is stored.
 */
export function applyChange(
  snapshot: PolicySnapshot,
  change: PolicyChange,
  decision: DecisionStamp,
): PolicyStateV1 {
  let next: PolicyStateV1;
  if (change.kind === 'tier') {
    // A proposal id belongs to the decision that made a record, never to the next one.
    const { proposalId: _previous, ...held } = snapshot.tiers[change.tier];
    next = {
      ...held,
      ...(change.mode !== undefined ? { mode: change.mode } : {}),
      budgets: { ...held.budgets, ...definedOnly(change.budgets ?? {}) },
      ...(change.slaDays !== undefined ? { slaDays: change.slaDays } : {}),
      ...stamp(held.version, decision),
    };
  } else {
    const { proposalId: _previous, ...held } = snapshot.global;
    next = {
      ...held,
      ...(change.killSwitch !== undefined ? { killSwitch: change.killSwitch } : {}),
      ...(change.freezeWindows !== undefined ? { freezeWindows: change.freezeWindows } : {}),
      ...(change.denyList !== undefined ? { denyList: change.denyList } : {}),
      gate: { ...held.gate, ...definedOnly(change.gate ?? {}) },
      ...stamp(held.version, decision),
    };
  }
  return PolicyStateV1.parse(next);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A tier's auto-pause flag set or cleared. The patcher's failure-rate breaker pauses; only an
 * operator resumes. Mode and budgets stay as decided.
 */
export function setTierPaused(
  snapshot: PolicySnapshot,
  tier: RemediationTier,
  paused: boolean,
  decision: DecisionStamp,
): TierPolicyV1 {
  const held = snapshot.tiers[tier];
  const { proposalId: _previous, ...rest } = held;
  return PolicyStateV1.parse({ ...rest, paused, ...stamp(held.version, decision) }) as TierPolicyV1;
}
