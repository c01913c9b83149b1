import { REMEDIATION_TIERS, type RemediationTier, type RiskTier } from '@hum/contracts';
import { DEFAULT_SLA_DAYS, type PolicySnapshot } from '@hum/policy';

/** SLA days per tier, as policy.state says now. */
export interface SlaPolicy {
  slaDays(tier: RiskTier): number | undefined;
}

const DAY_MS = 86_400_000;

function isRemediationTier(tier: RiskTier): tier is RemediationTier {
  return (REMEDIATION_TIERS as readonly string[]).includes(tier);
}

/**
 * SLA days from the followed policy. Unlike automation, SLAs need no "loaded" gate: until the
 * topic is read the defaults (7/30/90/180 days) are the best answer there is.
 */
export function slaFromPolicy(current: () => PolicySnapshot): SlaPolicy {
  return {
    slaDays: (tier) => (isRemediationTier(tier) ? current().tiers[tier].slaDays : undefined),
  };
}

export const DEFAULT_SLA: SlaPolicy = {
  slaDays: (tier) => (isRemediationTier(tier) ? DEFAULT_SLA_DAYS[tier] : undefined),
};

/** yyyy-mm-dd, `days` after `since`; undefined when the tier has no SLA (info). */
export function dueDate(since: Date, days: number | undefined): string | undefined {
  if (days === undefined) return undefined;
  return new Date(since.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The SLA days a due date was set with: the days from the day the group reached its tier to
 * its due date. A ticket says these, not today's policy, which may have changed since.
 */
export function slaDaysOf(since: Date, due: string): number {
  const start = Date.parse(`${since.toISOString().slice(0, 10)}T00:00:00.000Z`);
  return Math.round((Date.parse(`${due}T00:00:00.000Z`) - start) / DAY_MS);
}
