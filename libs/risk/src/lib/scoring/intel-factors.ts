import type { IntelSnapshot } from '../intel/snapshot';
import { bandPoints, type RiskWeights, type ScoreBand } from '../policy/risk-policy';
import { factor, signed, type ScoredFactor } from './factor';
import type { IntelAssessment } from './intel-input';

/** `epss.probability`, `epss.percentile` and `kev`: what is known about exploitation. */
export function intelFactors(
  assessment: IntelAssessment,
  intel: IntelSnapshot,
  weights: RiskWeights,
): ScoredFactor[] {
  if (assessment.cves.length === 0) {
    const note = 'the finding names no CVE, so EPSS and CISA KEV do not apply';
    return [
      factor('epss.probability', null, 0, note),
      factor('epss.percentile', null, 0, note),
      factor('kev', null, 0, note),
    ];
  }
  return [...epssFactors(assessment, intel, weights), kevFactor(assessment, intel, weights)];
}

function epssFactors(
  { cves, epss }: IntelAssessment,
  intel: IntelSnapshot,
  weights: RiskWeights,
): ScoredFactor[] {
  if (epss === undefined) {
    const note = `no EPSS score for ${cves.join(', ')} in the scores of ${intel.epss.asOf}`;
    return [factor('epss.probability', null, 0, note), factor('epss.percentile', null, 0, note)];
  }
  const { probability, percentile } = weights.epss;
  const from = `EPSS of ${intel.epss.asOf} for ${epss.cve}`;
  return [
    factor(
      'epss.probability',
      epss.probability,
      bandPoints(probability, epss.probability),
      `${from}: ${describeBand(probability, epss.probability)}`,
    ),
    factor(
      'epss.percentile',
      epss.percentile,
      bandPoints(percentile, epss.percentile),
      `${from}: ${describeBand(percentile, epss.percentile)}`,
    ),
  ];
}

function describeBand(bands: readonly ScoreBand[], value: number): string {
  const band = bands.find((candidate) => value >= candidate.atLeast);
  if (band !== undefined) return `${value} is at least ${band.atLeast} (${signed(band.points)})`;
  const lowest = bands[bands.length - 1];
  return lowest === undefined
    ? `${value}, no bands in the policy`
    : `${value} is below ${lowest.atLeast}`;
}

function kevFactor(
  { cves, kev }: IntelAssessment,
  intel: IntelSnapshot,
  weights: RiskWeights,
): ScoredFactor {
  if (kev === undefined) {
    return factor('kev', false, 0, `${cves.join(', ')} not in CISA KEV as of ${intel.kev.asOf}`);
  }
  const ransomware = kev.knownRansomwareCampaignUse === 'Known';
  const points = weights.kev.listed + (ransomware ? weights.kev.knownRansomwareUse : 0);
  const ransomwareNote = ransomware
    ? `; known ransomware campaign use (${signed(weights.kev.knownRansomwareUse)})`
    : '';
  return factor(
    'kev',
    true,
    points,
    `${kev.cveId} in CISA KEV since ${kev.dateAdded} (${signed(weights.kev.listed)})${ransomwareNote}`,
  );
}
