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

/** What an acceptance was decided against: its expiry, tier and whether the finding was in KEV. */
export interface AcceptedRisk {
  expiresAt: Date;
  acceptedTier: RiskTier;
  /**
   * Whether the finding was in CISA KEV when the acceptance was approved. Undefined when the
   * caller does not know (the `risk.acceptances` record does not carry it): KEV is then not
   * checked, and the lapse comes from policy-admin's `lapsed` record instead.
   */
  acceptedInKev?: boolean;
}

/** The finding's risk now; `kev` undefined when the classification says nothing about KEV. */
export interface CurrentRisk {
  tier: RiskTier;
  kev?: boolean;
}

/** Which signal says the risk rose: a higher tier, or entry into KEV at the same tier. */
export type RiskRise = 'tier' | 'kev';

/**
 * Whether the finding's risk now is above what was accepted. Two signals count: a tier above
 * the accepted one, and entry into KEV (known exploitation) where the acceptance was decided
 * while the finding was not listed — an acceptance made at `critical` could otherwise never
 * lapse. A higher score within the same tier does not: the tier is what people accept, and
 * scores move daily with EPSS, so lapsing on every uptick would end acceptances at random and
 * train approvers to re-approve unread; a rise that matters crosses a tier boundary.
 */
export function riskRise(acceptance: AcceptedRisk, current: CurrentRisk): RiskRise | undefined {
  if (tierRank(current.tier) > tierRank(acceptance.acceptedTier)) return 'tier';
  if (current.kev === true && acceptance.acceptedInKev === false) return 'kev';
  return undefined;
}

/**
 * Why an active acceptance no longer holds, if it does not: its expiry has passed, or the
 * finding's risk rose above what was accepted ({@link riskRise}). `current` may be only the
 * tier, for callers that know nothing about KEV.
 */
export function acceptanceLapse(
  acceptance: AcceptedRisk,
  now: Date,
  current?: RiskTier | CurrentRisk,
): LapseReason | undefined {
  if (now.getTime() >= acceptance.expiresAt.getTime()) return 'expired';
  if (current === undefined) return undefined;
  const risk = typeof current === 'string' ? { tier: current } : current;
  return riskRise(acceptance, risk) !== undefined ? 'risk-rose' : undefined;
}

/**
 * Whether a classification says the finding is in CISA KEV: libs/risk explains every score
 * with a `kev` factor whose input is true (listed), false (not listed) or null (the finding
 * names no CVE, so it cannot be listed). Undefined when there is no such factor.
 */
export function kevListed(classification: {
  factors: readonly { name: string; input: unknown }[];
}): boolean | undefined {
  const factor = classification.factors.find((f) => f.name === 'kev');
  if (factor === undefined) return undefined;
  return factor.input === true;
}
