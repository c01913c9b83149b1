import type { RiskTier } from '@hum/contracts';
import type { Refusal } from './proposal-rules';

/** An exception is temporary by design: at most a year, then it must be decided again. */
export const MAX_ACCEPTANCE_DAYS = 365;

const TIER_RANK: Readonly<Record<RiskTier, number>> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

export function tierRank(tier: RiskTier): number {
  return TIER_RANK[tier];
}

/** The acceptance's own expiry must lie ahead, and not too far. */
export function checkAcceptanceExpiry(
  expiresAt: Date,
  now: Date,
  maxDays: number = MAX_ACCEPTANCE_DAYS,
): Refusal | undefined {
  if (expiresAt.getTime() <= now.getTime())
    return { code: 'expired', reason: 'expiresAt must be in the future' };
  if (expiresAt.getTime() - now.getTime() > maxDays * 24 * 3_600_000)
    return {
      code: 'expired',
      reason: `an acceptance may last at most ${maxDays} days; decide it again then`,
    };
  return undefined;
}

export type LapseReason = 'expired' | 'risk-rose';

/**
 * Why an active acceptance no longer holds, if it does not: its expiry has passed, or the
 * finding is now classified above the tier the risk was accepted at (e.g. it entered KEV).
 */
export function acceptanceLapse(
  acceptance: { expiresAt: Date; acceptedTier: RiskTier },
  now: Date,
  currentTier?: RiskTier,
): LapseReason | undefined {
  if (now.getTime() >= acceptance.expiresAt.getTime()) return 'expired';
  if (currentTier !== undefined && tierRank(currentTier) > tierRank(acceptance.acceptedTier))
    return 'risk-rose';
  return undefined;
}
