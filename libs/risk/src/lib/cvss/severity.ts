/** The qualitative severity scale of CVSS v3.0, v3.1 and v4.0 (v3.1 specification §5). */
export type CvssSeverity = 'none' | 'low' | 'medium' | 'high' | 'critical';

export function qualitativeSeverity(score: number): CvssSeverity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/**
 * CVSS v2.0 defines no severity scale; NVD's is the one everybody quotes: Low 0.0-3.9,
 * Medium 4.0-6.9, High 7.0-10.0. There is no "none" and no "critical" in it.
 */
export function nvdV2Severity(score: number): Extract<CvssSeverity, 'low' | 'medium' | 'high'> {
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  return 'high';
}
