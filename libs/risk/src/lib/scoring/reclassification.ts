import { DEFAULT_DIFF_OPTIONS, type DiffIntelOptions, type IntelDiff } from '../intel/diff';
import type { EpssScore } from '../intel/epss';
import { bandPoints, type RiskPolicy } from '../policy/risk-policy';

/**
 * Options for `diffIntel` that match a policy: the edges of its EPSS probability bands
 * are boundaries, so that a move across one is reported however small it is.
 */
export function intelDiffOptions(policy: RiskPolicy): DiffIntelOptions {
  return {
    epssDelta: DEFAULT_DIFF_OPTIONS.epssDelta,
    epssBoundaries: policy.weights.epss.probability.map((band) => band.atLeast),
  };
}

/**
 * The CVEs whose open findings must be classified again after an intel refresh; the classifier
 * looks its findings up by CVE. Without a policy, every CVE the diff names. With one, only those
 * whose score can change under it: every KEV entry or exit (overrides may match on KEV even when
 * its weight is 0), and the EPSS changes that move the probability or the percentile into
 * another band.
 */
export function reclassificationTargets(diff: IntelDiff, policy?: RiskPolicy): readonly string[] {
  if (policy === undefined) return diff.affectedCves;
  const { probability, percentile } = policy.weights.epss;
  const points = (score: EpssScore | undefined): [number, number] =>
    score === undefined
      ? [0, 0]
      : [bandPoints(probability, score.probability), bandPoints(percentile, score.percentile)];

  const targets = new Set<string>();
  for (const entry of diff.enteredKev) targets.add(entry.cveId);
  for (const entry of diff.leftKev) targets.add(entry.cveId);
  for (const change of diff.epssChanges) {
    const [probabilityBefore, percentileBefore] = points(change.before);
    const [probabilityAfter, percentileAfter] = points(change.after);
    if (probabilityBefore !== probabilityAfter || percentileBefore !== percentileAfter) {
      targets.add(change.cve);
    }
  }
  // Keep the diff's order (by year, then number).
  return diff.affectedCves.filter((cve) => targets.has(cve));
}
