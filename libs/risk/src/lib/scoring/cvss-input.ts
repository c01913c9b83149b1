import type { CvssVector, FindingV1, Severity } from '@hum/contracts';
import { CvssParseError } from '../cvss/errors';
import { scoreCvssVector } from '../cvss/score-vector';
import type { CvssResult, CvssVersion } from '../cvss/types';

/** A vector the finding carried that could not be scored, and why. */
export interface RejectedVector {
  readonly vector: string;
  readonly reason: string;
}

/** The CVSS base score the engine uses, or the scanner's severity when no vector scores. */
export type CvssAssessment =
  | {
      readonly from: 'vector';
      readonly result: CvssResult;
      /** Who published the chosen vector (nvd, ghsa, a vendor), when the finding says. */
      readonly source: string | undefined;
      readonly reportedScore: number | undefined;
      readonly rejected: readonly RejectedVector[];
    }
  | {
      readonly from: 'severity';
      readonly severity: Severity;
      /** The scanner's own word for it ("HIGH", "error"), when it gave one. */
      readonly reported: string | undefined;
      readonly rejected: readonly RejectedVector[];
    };

/** Newer CVSS versions describe a vulnerability better: v4.0, then v3.1, v3.0, v2.0. */
const PREFERENCE: Readonly<Record<CvssVersion, number>> = {
  '4.0': 4,
  '3.1': 3,
  '3.0': 2,
  '2.0': 1,
};

/**
 * Picks the CVSS base score of a finding: every vector is scored (never copied from the report),
 * the newest version wins, and between vectors of one version (NVD's and a vendor's) the higher
 * score, the cautious choice. Vectors that do not parse are kept with the reason so the factor
 * can say so; with none left, the scanner's severity stands in. Never throws for a bad vector.
 */
export function assessCvss(finding: FindingV1): CvssAssessment {
  let best: { result: CvssResult; given: CvssVector } | undefined;
  const rejected: RejectedVector[] = [];
  for (const given of finding.cvss) {
    const outcome = scoreCached(withPrefix(given));
    if (outcome instanceof CvssParseError) {
      rejected.push({ vector: given.vector, reason: outcome.message });
      continue;
    }
    if (
      best === undefined ||
      PREFERENCE[outcome.version] > PREFERENCE[best.result.version] ||
      (outcome.version === best.result.version && outcome.baseScore > best.result.baseScore)
    ) {
      best = { result: outcome, given };
    }
  }
  if (best !== undefined) {
    return {
      from: 'vector',
      result: best.result,
      source: best.given.source,
      reportedScore: best.given.reportedScore,
      rejected,
    };
  }
  return {
    from: 'severity',
    severity: finding.severity.normalized,
    reported: finding.severity.reported,
    rejected,
  };
}

/**
 * Some scanners drop the `CVSS:3.1/` prefix and give the version in a field of its own; the
 * declared version restores it. A bare vector declared 2.0 is a v2.0 vector as written.
 */
function withPrefix({ version, vector }: CvssVector): string {
  if (version === '2.0' || vector.trimStart().startsWith('CVSS:')) return vector;
  return `CVSS:${version}/${vector.trim()}`;
}

// The classifier sees the same few thousand vectors over and over; scoring a v4.0 vector costs
// ~20 µs, a lookup well under one. Bounded, oldest out first, so odd input cannot grow it.
const CACHE_SIZE = 10_000;
const cache = new Map<string, CvssResult | CvssParseError>();

function scoreCached(vector: string): CvssResult | CvssParseError {
  const cached = cache.get(vector);
  if (cached !== undefined) return cached;
  let outcome: CvssResult | CvssParseError;
  try {
    outcome = scoreCvssVector(vector);
  } catch (error) {
    // Only a vector that breaks its specification falls back; anything else is a defect.
    if (!(error instanceof CvssParseError)) throw error;
    outcome = error;
  }
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(vector, outcome);
  return outcome;
}
