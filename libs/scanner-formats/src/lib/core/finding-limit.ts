import { ReportParseError, type ReportErrorLocation } from './errors';
import type { FormatId } from './types';

/**
 * Counts findings as a parser yields them and stops the parse with an error before it yields
 * one more than `maxFindings`: a hostile or runaway report cannot make a scan unbounded.
 */
export class FindingLimit {
  private yielded = 0;

  constructor(
    private readonly format: FormatId,
    private readonly maxFindings: number | undefined,
  ) {}

  /** Call before yielding a finding; `location` says where the one too many is. */
  take(location: ReportErrorLocation = {}): void {
    const max = this.maxFindings;
    if (max !== undefined && this.yielded >= max) {
      throw new ReportParseError(
        this.format,
        `the report has more than ${max} findings (the configured limit)`,
        location,
      );
    }
    this.yielded += 1;
  }

  /** Passes findings through, stopping before one too many. */
  *through<T>(findings: Iterable<T>): Generator<T> {
    for (const finding of findings) {
      this.take();
      yield finding;
    }
  }
}
