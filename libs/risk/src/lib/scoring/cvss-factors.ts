import { nvdV2Severity } from '../cvss/severity';
import type { RiskWeights } from '../policy/risk-policy';
import type { CvssAssessment, RejectedVector } from './cvss-input';
import { factor, oneDecimal, type ScoredFactor } from './factor';

/**
 * The `cvss` factor: the computed base score times the policy's points per CVSS point. When no
 * vector scores, `cvss` adds nothing and says why, and a `severity` factor carries the fallback.
 */
export function cvssFactors(assessment: CvssAssessment, weights: RiskWeights): ScoredFactor[] {
  const perPoint = weights.cvss.pointsPerCvssPoint;
  const ignored = describeRejected(assessment.rejected);

  if (assessment.from === 'vector') {
    const { result, source, reportedScore } = assessment;
    const severity =
      result.version === '2.0' ? nvdV2Severity(result.baseScore) : result.baseSeverity;
    const publishedBy = source === undefined ? '' : ` (${source})`;
    const disagreement =
      reportedScore !== undefined && Math.abs(reportedScore - result.baseScore) >= 0.05
        ? `; the report said ${oneDecimal(reportedScore)}`
        : '';
    const note =
      `CVSS ${result.version} base score ${oneDecimal(result.baseScore)} ${severity}, ` +
      `computed from the vector${publishedBy}${disagreement}; ${perPoint} points per CVSS point` +
      (ignored === '' ? '' : `; ignored ${ignored}`);
    return [factor('cvss', result.vector, result.baseScore * perPoint, note)];
  }

  const { severity, reported, rejected } = assessment;
  const equivalent = weights.cvss.severityFallback[severity];
  const reportedAs = reported === undefined ? '' : ` (reported as "${reported}")`;
  const cvssNote =
    rejected.length === 0
      ? 'the finding carries no CVSS vector'
      : `no CVSS vector could be scored: ${ignored}`;
  const because =
    rejected.length === 0 ? 'the finding carries no CVSS vector' : 'no CVSS vector could be scored';
  return [
    factor(
      'cvss',
      rejected[0]?.vector ?? null,
      0,
      `${cvssNote}; the scanner's severity stands in (factor severity)`,
    ),
    factor(
      'severity',
      severity,
      equivalent * perPoint,
      `fallback: scanner severity ${severity}${reportedAs} counted as CVSS ` +
        `${oneDecimal(equivalent)}, because ${because}`,
    ),
  ];
}

function describeRejected(rejected: readonly RejectedVector[]): string {
  return rejected.map(({ vector, reason }) => `"${vector}" (${reason})`).join('; ');
}
