import { CvssParseError } from './errors';
import { mandatory, optional, parseMetrics, type ParsedMetrics } from './metric-table';
import { nvdV2Severity } from './severity';
import type { Cvss2Result } from './types';

/** CVSS v2.0 complete guide, §2 (base, temporal and environmental metrics and their values). */
const CVSS2_METRICS = {
  AV: mandatory(['L', 'A', 'N']),
  AC: mandatory(['H', 'M', 'L']),
  Au: mandatory(['M', 'S', 'N']),
  C: mandatory(['N', 'P', 'C']),
  I: mandatory(['N', 'P', 'C']),
  A: mandatory(['N', 'P', 'C']),
  E: optional(['U', 'POC', 'F', 'H', 'ND']),
  RL: optional(['OF', 'TF', 'W', 'U', 'ND']),
  RC: optional(['UC', 'UR', 'C', 'ND']),
  CDP: optional(['N', 'L', 'LM', 'MH', 'H', 'ND']),
  TD: optional(['N', 'L', 'M', 'H', 'ND']),
  CR: optional(['L', 'M', 'H', 'ND']),
  IR: optional(['L', 'M', 'H', 'ND']),
  AR: optional(['L', 'M', 'H', 'ND']),
} as const;

type Cvss2Metrics = ParsedMetrics<typeof CVSS2_METRICS>;

// CVSS v2.0 complete guide, §3.2.1 (base equation weights).
const ACCESS_VECTOR = { L: 0.395, A: 0.646, N: 1.0 } as const;
const ACCESS_COMPLEXITY = { H: 0.35, M: 0.61, L: 0.71 } as const;
const AUTHENTICATION = { M: 0.45, S: 0.56, N: 0.704 } as const;
const IMPACT = { N: 0.0, P: 0.275, C: 0.66 } as const;

/** Parses a CVSS v2.0 vector, which carries no version prefix: `AV:N/AC:L/Au:N/C:P/I:P/A:P`. */
export function parseCvss2(vector: string): Cvss2Metrics {
  const trimmed = vector.trim();
  if (trimmed === '') throw new CvssParseError(vector, 'empty', 'CVSS v2.0 vector is empty');
  return parseMetrics(trimmed, trimmed, CVSS2_METRICS, 'CVSS v2.0');
}

export function cvss2BaseScore(metrics: Cvss2Metrics): number {
  const impact =
    10.41 * (1 - (1 - IMPACT[metrics.C]) * (1 - IMPACT[metrics.I]) * (1 - IMPACT[metrics.A]));
  const exploitability =
    20 * ACCESS_VECTOR[metrics.AV] * ACCESS_COMPLEXITY[metrics.AC] * AUTHENTICATION[metrics.Au];
  const fImpact = impact === 0 ? 0 : 1.176;
  const raw = (0.6 * impact + 0.4 * exploitability - 1.5) * fImpact;
  // round_to_1_decimal of the guide. Checked against exact decimal arithmetic over all 729 base
  // vectors: float rounding never lands on the wrong side of a tie here.
  return Math.round(raw * 10) / 10;
}

export function scoreCvss2(vector: string): Cvss2Result {
  const metrics = parseCvss2(vector);
  const baseScore = cvss2BaseScore(metrics);
  return {
    version: '2.0',
    vector: vector.trim(),
    baseScore,
    baseSeverity: nvdV2Severity(baseScore),
    metrics,
  };
}
