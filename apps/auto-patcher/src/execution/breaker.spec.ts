import { breakerTrips, describeTrip, windowStart } from './breaker';

const OPTIONS = { failureRatePercent: 50, minOutcomes: 4, windowMs: 3_600_000 };

describe('failure-rate breaker', () => {
  it('trips at the threshold share, and only from the minimum number of outcomes', () => {
    expect(breakerTrips({ failed: 3, total: 3 }, OPTIONS)).toBe(false);
    expect(breakerTrips({ failed: 2, total: 4 }, OPTIONS)).toBe(true);
    expect(breakerTrips({ failed: 1, total: 4 }, OPTIONS)).toBe(false);
    expect(breakerTrips({ failed: 5, total: 11 }, OPTIONS)).toBe(false);
    expect(describeTrip({ failed: 2, total: 4 }, OPTIONS)).toBe(
      '2 of 4 patches failed in the last 60 min (threshold 50%)',
    );
  });

  it('starts the window at the last resume when that is more recent', () => {
    const now = new Date('2026-11-20T12:00:00.000Z');
    expect(windowStart(now, 3_600_000)).toEqual(new Date('2026-11-20T11:00:00.000Z'));
    expect(windowStart(now, 3_600_000, new Date('2026-11-20T11:45:00.000Z'))).toEqual(
      new Date('2026-11-20T11:45:00.000Z'),
    );
    expect(windowStart(now, 3_600_000, new Date('2026-11-19T08:00:00.000Z'))).toEqual(
      new Date('2026-11-20T11:00:00.000Z'),
    );
  });
});
