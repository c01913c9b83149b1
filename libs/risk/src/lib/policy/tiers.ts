import type { RiskTier } from '@hum/contracts';

/** Lowest score of each tier; anything below `low` is `info`. */
export interface TierThresholds {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
}

/** Least severe first, so that a rank comparison reads as "more severe than". */
const RANK: Readonly<Record<RiskTier, number>> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};
const BY_RANK: readonly RiskTier[] = ['info', 'low', 'medium', 'high', 'critical'];

export function tierRank(tier: RiskTier): number {
  return RANK[tier];
}

export function isMoreSevere(a: RiskTier, than: RiskTier): boolean {
  return RANK[a] > RANK[than];
}

/** Scores are kept in tenths of a point, so that sums of contributions are exact. */
export function toTenths(points: number): number {
  return Math.round(points * 10);
}

export function tierForTenths(tenths: number, thresholds: TierThresholds): RiskTier {
  if (tenths >= toTenths(thresholds.critical)) return 'critical';
  if (tenths >= toTenths(thresholds.high)) return 'high';
  if (tenths >= toTenths(thresholds.medium)) return 'medium';
  if (tenths >= toTenths(thresholds.low)) return 'low';
  return 'info';
}

export function tierForScore(score: number, thresholds: TierThresholds): RiskTier {
  return tierForTenths(toTenths(score), thresholds);
}

/** The lowest score (in tenths) that is in `tier`. */
export function tierFloorTenths(tier: RiskTier, thresholds: TierThresholds): number {
  return tier === 'info' ? 0 : toTenths(thresholds[tier]);
}

/** The highest score (in tenths) that is in `tier`: one tenth below the next tier up. */
export function tierCeilingTenths(tier: RiskTier, thresholds: TierThresholds): number {
  const above = BY_RANK[RANK[tier] + 1];
  return above === undefined ? 1000 : tierFloorTenths(above, thresholds) - 1;
}
