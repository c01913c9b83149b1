import { scoreCvss2 } from './cvss2';
import { scoreCvss3 } from './cvss3';
import { scoreCvss4 } from './cvss4';
import { CvssParseError } from './errors';
import type { CvssResult } from './types';

const VERSION_PREFIX = /^CVSS:([^/]*)\//;

/**
 * Scores any CVSS vector from its version prefix: `CVSS:4.0/`, `CVSS:3.1/`, `CVSS:3.0/`, or none
 * for v2.0. Throws {@link CvssParseError} for anything else, so the caller can fall back to the
 * severity the scanner reported and say why.
 */
export function scoreCvssVector(vector: string): CvssResult {
  const trimmed = vector.trim();
  if (trimmed === '') throw new CvssParseError(vector, 'empty', 'CVSS vector is empty');
  const prefix = VERSION_PREFIX.exec(trimmed);
  if (prefix === null) {
    if (trimmed.startsWith('CVSS:')) {
      throw new CvssParseError(vector, 'malformed', 'CVSS vector has a prefix but no metrics');
    }
    try {
      return scoreCvss2(trimmed);
    } catch (error) {
      // CycloneDX and some scanners drop the prefix of v3 vectors; say what is missing.
      if (error instanceof CvssParseError && error.problem === 'unknown-metric') {
        throw new CvssParseError(
          vector,
          error.problem,
          `${error.message}; a vector without a "CVSS:x.y/" prefix is read as CVSS v2.0`,
          error.metric,
        );
      }
      throw error;
    }
  }
  const version = prefix[1] ?? '';
  switch (version) {
    case '4.0':
      return scoreCvss4(trimmed);
    case '3.0':
    case '3.1':
      return scoreCvss3(trimmed);
    default:
      throw new CvssParseError(
        vector,
        'unsupported-version',
        `CVSS version "${version}" is not supported (2.0, 3.0, 3.1 and 4.0 are)`,
      );
  }
}
