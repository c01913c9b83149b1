import { CvssParseError } from './errors';
import { mandatory, optional, parseMetrics, type ParsedMetrics } from './metric-table';
import { roundUpV30, roundUpV31 } from './rounding';
import { qualitativeSeverity } from './severity';
import type { Cvss3Result } from './types';

/** CVSS v3.0 and v3.1 specifications, Table 15 (§6, vector string). */
const CVSS3_METRICS = {
  AV: mandatory(['N', 'A', 'L', 'P']),
  AC: mandatory(['L', 'H']),
  PR: mandatory(['N', 'L', 'H']),
  UI: mandatory(['N', 'R']),
  S: mandatory(['U', 'C']),
  C: mandatory(['H', 'L', 'N']),
  I: mandatory(['H', 'L', 'N']),
  A: mandatory(['H', 'L', 'N']),
  E: optional(['X', 'H', 'F', 'P', 'U']),
  RL: optional(['X', 'U', 'W', 'T', 'O']),
  RC: optional(['X', 'C', 'R', 'U']),
  CR: optional(['X', 'H', 'M', 'L']),
  IR: optional(['X', 'H', 'M', 'L']),
  AR: optional(['X', 'H', 'M', 'L']),
  MAV: optional(['X', 'N', 'A', 'L', 'P']),
  MAC: optional(['X', 'L', 'H']),
  MPR: optional(['X', 'N', 'L', 'H']),
  MUI: optional(['X', 'N', 'R']),
  MS: optional(['X', 'U', 'C']),
  MC: optional(['X', 'H', 'L', 'N']),
  MI: optional(['X', 'H', 'L', 'N']),
  MA: optional(['X', 'H', 'L', 'N']),
} as const;

type Cvss3Metrics = ParsedMetrics<typeof CVSS3_METRICS>;

// Metric weights of §7.4 (v3.1) / §8.4 (v3.0); identical in both versions.
const ATTACK_VECTOR = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 } as const;
const ATTACK_COMPLEXITY = { L: 0.77, H: 0.44 } as const;
const PRIVILEGES_SCOPE_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 } as const;
const PRIVILEGES_SCOPE_CHANGED = { N: 0.85, L: 0.68, H: 0.5 } as const;
const USER_INTERACTION = { N: 0.85, R: 0.62 } as const;
const CIA_IMPACT = { H: 0.56, L: 0.22, N: 0 } as const;

const PREFIX = /^CVSS:(3\.[01])\//;

export function parseCvss3(vector: string): { version: '3.0' | '3.1'; metrics: Cvss3Metrics } {
  const trimmed = vector.trim();
  if (trimmed === '') throw new CvssParseError(vector, 'empty', 'CVSS v3 vector is empty');
  const prefix = PREFIX.exec(trimmed);
  if (prefix === null) {
    throw new CvssParseError(
      vector,
      'unsupported-version',
      'CVSS v3 vector must start with "CVSS:3.0/" or "CVSS:3.1/"',
    );
  }
  const version = prefix[1] === '3.0' ? '3.0' : '3.1';
  const body = trimmed.slice(prefix[0].length);
  return { version, metrics: parseMetrics(trimmed, body, CVSS3_METRICS, `CVSS v${version}`) };
}

/** The base equations of §7.1 (v3.1) / §8.1 (v3.0); only the Roundup function differs. */
export function cvss3BaseScore(version: '3.0' | '3.1', metrics: Cvss3Metrics): number {
  const roundUp = version === '3.0' ? roundUpV30 : roundUpV31;
  const scopeChanged = metrics.S === 'C';
  const iss =
    1 - (1 - CIA_IMPACT[metrics.C]) * (1 - CIA_IMPACT[metrics.I]) * (1 - CIA_IMPACT[metrics.A]);
  const impact = scopeChanged ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const privileges = scopeChanged
    ? PRIVILEGES_SCOPE_CHANGED[metrics.PR]
    : PRIVILEGES_SCOPE_UNCHANGED[metrics.PR];
  const exploitability =
    8.22 *
    ATTACK_VECTOR[metrics.AV] *
    ATTACK_COMPLEXITY[metrics.AC] *
    privileges *
    USER_INTERACTION[metrics.UI];
  if (impact <= 0) return 0;
  return scopeChanged
    ? roundUp(Math.min(1.08 * (impact + exploitability), 10))
    : roundUp(Math.min(impact + exploitability, 10));
}

export function scoreCvss3(vector: string): Cvss3Result {
  const { version, metrics } = parseCvss3(vector);
  const baseScore = cvss3BaseScore(version, metrics);
  return {
    version,
    vector: vector.trim(),
    baseScore,
    baseSeverity: qualitativeSeverity(baseScore),
    metrics,
  };
}
