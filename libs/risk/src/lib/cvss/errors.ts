import { PermanentError } from '@hum/common';

/** Why a vector was refused; the classifier records it in the factor that explains its fallback. */
export type CvssParseProblem =
  | 'empty'
  | 'unsupported-version'
  | 'malformed'
  | 'unknown-metric'
  | 'duplicate-metric'
  | 'missing-metric'
  | 'invalid-value';

/**
 * A CVSS vector string that does not follow its specification. Never retried: the same string
 * fails the same way. `metric` names the metric at fault when there is one.
 */
export class CvssParseError extends PermanentError {
  override readonly name = 'CvssParseError';

  constructor(
    readonly vector: string,
    readonly problem: CvssParseProblem,
    message: string,
    readonly metric?: string,
  ) {
    super(message);
  }
}
