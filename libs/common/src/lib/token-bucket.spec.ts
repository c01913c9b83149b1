import { ManualClock } from './clock';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst up to capacity, then refills at the rate', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ ratePerSecond: 2, capacity: 3 }, clock);
    expect([bucket.take(), bucket.take(), bucket.take()].every((r) => r.ok)).toBe(true);
    expect(bucket.take()).toEqual({ ok: false, retryAfterMs: 500 });
    clock.advance(500);
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(false);
    clock.advance(10_000);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()].map((r) => r.ok)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
