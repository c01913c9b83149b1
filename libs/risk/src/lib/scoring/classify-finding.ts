import type { ClassifiedFindingV1, FindingV1 } from '@hum/contracts';
import { resolveAsset, type ResolvedAsset } from '../assets/resolve-asset';
import type { IntelSnapshot } from '../intel/snapshot';
import type { OverrideSubject } from '../policy/overrides';
import type { RiskPolicy } from '../policy/risk-policy';
import { tierForTenths } from '../policy/tiers';
import { applyOverrides } from './apply-overrides';
import { assetFactors } from './asset-factors';
import { cvssFactors } from './cvss-factors';
import { assessCvss } from './cvss-input';
import { toRiskFactor, type ScoredFactor } from './factor';
import { fixFactor, kindFactor } from './finding-factors';
import { intelFactors } from './intel-factors';
import { assessIntel, vulnerabilityIds } from './intel-input';

/** The classification block of a classified event, but for the time, which the service stamps. */
export type Classification = Omit<ClassifiedFindingV1['classification'], 'classifiedAt'>;

export interface ClassifyOptions {
  readonly policy: RiskPolicy;
  readonly intel: IntelSnapshot;
  /**
   * The finding's asset after the catalogue (`resolveAsset(finding.asset, catalogue)`); without
   * one, the scan's own context is all the engine knows.
   */
  readonly asset?: ResolvedAsset;
  /** Decides which overrides have expired. */
  readonly now: Date;
}

const MAX_SCORE_TENTHS = 1000;
/** ClassifiedFindingV1 allows 50 factors. */
const MAX_FACTORS = 50;

/**
 * Scores a finding 0-100 and gives it a tier, with the factors that explain both: each input
 * (CVSS computed from the vector, EPSS, KEV, environment, exposure, criticality, data
 * sensitivity, fix, kind) adds its points; the sum is clamped to 0..100 (a `clamp` factor says
 * so); the tier follows from the policy's thresholds; then overrides may move it. Contributions
 * always add up to the score. Pure, and never throws on a bad CVSS vector: it falls back to the
 * scanner's severity and the factors say so.
 */
export function classifyFinding(finding: FindingV1, options: ClassifyOptions): Classification {
  const { policy, intel, now } = options;
  const weights = policy.weights;
  const asset = options.asset ?? resolveAsset(finding.asset);
  const intelAssessment = assessIntel(finding, intel);

  const factors: ScoredFactor[] = [
    ...cvssFactors(assessCvss(finding), weights),
    ...intelFactors(intelAssessment, intel, weights),
    ...assetFactors(asset, weights),
    fixFactor(finding, weights),
    kindFactor(finding, weights),
  ];

  let tenths = 0;
  for (const scored of factors) tenths += scored.tenths;
  const clamped = Math.min(MAX_SCORE_TENTHS, Math.max(0, tenths));
  if (clamped !== tenths) {
    factors.push({
      name: 'clamp',
      input: tenths / 10,
      tenths: clamped - tenths,
      note: `the factors add up to ${(tenths / 10).toFixed(1)}; scores are clamped to 0..100`,
    });
  }

  const subject: OverrideSubject = {
    assetId: asset.id,
    team: asset.team.value,
    ruleId: finding.rule?.id,
    kind: finding.kind,
    vulnerabilityIds: vulnerabilityIds(finding),
    environment: asset.environment.value ?? 'unknown',
    exposure: asset.exposure.value ?? 'unknown',
    inKev: intelAssessment.kev !== undefined,
  };
  const outcome = applyOverrides(policy.overrides, subject, now, clamped, policy.tiers);

  return {
    tier: tierForTenths(outcome.tenths, policy.tiers),
    score: outcome.tenths / 10,
    factors: fitFactors([...factors, ...outcome.factors]).map(toRiskFactor),
    policyVersion: policy.version,
  };
}

/**
 * A policy with dozens of overrides matching one finding would exceed the event's limit; the
 * overrides that changed nothing are then folded into one factor so no contribution is lost.
 */
function fitFactors(factors: ScoredFactor[]): ScoredFactor[] {
  if (factors.length <= MAX_FACTORS) return factors;
  const idle = factors.filter(
    (scored) => scored.name.startsWith('override:') && scored.tenths === 0,
  );
  const kept = factors.filter((scored) => !idle.includes(scored));
  return [
    ...kept,
    {
      name: 'overrides.idle',
      input: idle.length,
      tenths: 0,
      note: `${idle.length} more overrides matched with no effect: ${idle
        .map((scored) => scored.name.slice('override:'.length))
        .join(', ')}`,
    },
  ];
}
