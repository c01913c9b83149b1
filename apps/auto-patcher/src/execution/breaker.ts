export interface BreakerOptions {
  /** Failure share, in percent, at or above which a tier pauses. */
  readonly failureRatePercent: number;
  /** Finished patches in the window needed before the share means anything. */
  readonly minOutcomes: number;
  readonly windowMs: number;
}

export interface WindowOutcomes {
  readonly failed: number;
  readonly total: number;
}

/**
 * Whether a tier's recent patches failed often enough to stop patching it: automation that
 * keeps failing is doing harm faster than people can follow up on the tickets.
 */
export function breakerTrips(outcomes: WindowOutcomes, options: BreakerOptions): boolean {
  return (
    outcomes.total >= options.minOutcomes &&
    outcomes.failed * 100 >= options.failureRatePercent * outcomes.total
  );
}

export function describeTrip(outcomes: WindowOutcomes, options: BreakerOptions): string {
  const minutes = Math.round(options.windowMs / 60_000);
  return `${outcomes.failed} of ${outcomes.total} patches failed in the last ${minutes} min (threshold ${options.failureRatePercent}%)`;
}

/**
 * Where a tier's failure window starts: `windowMs` ago, but never before the tier's last
 * resume — the outcomes that tripped a pause were judged by the person who lifted it, and
 * counting them again would pause the tier on its first patch after the resume.
 */
export function windowStart(now: Date, windowMs: number, lastResumedAt?: Date): Date {
  const start = now.getTime() - windowMs;
  return new Date(lastResumedAt === undefined ? start : Math.max(start, lastResumedAt.getTime()));
}
