import { createHash } from 'node:crypto';
import { RiskPolicyError } from './config-error';
import { compileOverride, type CompiledOverride } from './overrides';
import { RiskPolicyDocument, type ScoringWeights } from './policy-schema';
import type { TierThresholds } from './tiers';
import { parseYamlConfig } from '@hum/config';

export interface ScoreBand {
  readonly atLeast: number;
  readonly points: number;
}

/** Scoring weights with each band list sorted highest `atLeast` first, ready to scan. */
export interface RiskWeights extends Omit<ScoringWeights, 'epss'> {
  readonly epss: {
    readonly probability: readonly ScoreBand[];
    readonly percentile: readonly ScoreBand[];
  };
}

/** A validated risk policy, compiled for classifying thousands of findings a second. */
export interface RiskPolicy {
  /** `risk-policy@<revision>`: carried by every classification made with it. */
  readonly version: string;
  /** SHA-256 of the file's text, to tell two files that claim the same version apart. */
  readonly digest: string;
  readonly description: string | undefined;
  readonly weights: RiskWeights;
  readonly tiers: TierThresholds;
  /** In file order, which decides between two pins. */
  readonly overrides: readonly CompiledOverride[];
}

/**
 * Reads a risk policy file (YAML). Anything wrong — a YAML error, an unknown or misspelt key, a
 * value out of range, thresholds out of order, two overrides with one id — throws
 * {@link RiskPolicyError} listing each problem with its line, column and field: the classifier
 * must refuse to start rather than score with a rule silently missing.
 *
 * @param source names the file in the error, e.g. its path.
 */
export function parseRiskPolicy(text: string, source = 'risk policy'): RiskPolicy {
  const document = parseYamlConfig(
    text,
    RiskPolicyDocument,
    (issues) => new RiskPolicyError(source, issues),
  );
  const { epss, ...rest } = document.scoring;
  return {
    version: document.version,
    digest: createHash('sha256').update(text).digest('hex'),
    description: document.description,
    weights: {
      ...rest,
      epss: { probability: byEdge(epss.probability), percentile: byEdge(epss.percentile) },
    },
    tiers: document.tiers,
    overrides: document.overrides.map(compileOverride),
  };
}

function byEdge(bands: readonly ScoreBand[]): readonly ScoreBand[] {
  return [...bands].sort((a, b) => b.atLeast - a.atLeast);
}

/** The points of the highest band `value` reaches; 0 below every band. */
export function bandPoints(bands: readonly ScoreBand[], value: number): number {
  for (const band of bands) if (value >= band.atLeast) return band.points;
  return 0;
}
