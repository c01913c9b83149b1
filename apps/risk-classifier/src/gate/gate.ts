import type { RiskTier } from '@hum/contracts';
import { isMoreSevere } from '@hum/risk';

export const STAGES = ['test', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export interface OpenFinding {
  fingerprint: string;
  title: string;
  tier: RiskTier;
  score: number;
  vulnerabilityId: string | undefined;
  firstSeenAt: string;
  accepted: boolean;
  /** The approved risk acceptance that keeps this finding from blocking, if one does. */
  acceptance?: { id: string; owner: string; expiresAt: string; reason: string };
}

export interface GateVerdict {
  pass: boolean;
  /** The highest tier still allowed open into this stage, or `none`. */
  threshold: RiskTier | 'none';
  blocking: OpenFinding[];
  /** Open findings above the threshold that a risk acceptance covers. */
  accepted: OpenFinding[];
  openByTier: Record<RiskTier, number>;
}

/**
 * A promotion gate: the build may go into `stage` when no open finding of its asset is above
 * the stage's threshold, not counting findings under an approved risk acceptance.
 */
export function evaluateGate(
  open: readonly OpenFinding[],
  threshold: RiskTier | 'none',
): GateVerdict {
  const above = (finding: OpenFinding): boolean =>
    threshold === 'none' ? true : isMoreSevere(finding.tier, threshold);
  const openByTier: Record<RiskTier, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const finding of open) openByTier[finding.tier] += 1;
  const over = open.filter(above).sort((a, b) => b.score - a.score);
  const blocking = over.filter((f) => !f.accepted);
  return {
    pass: blocking.length === 0,
    threshold,
    blocking,
    accepted: over.filter((f) => f.accepted),
    openByTier,
  };
}
