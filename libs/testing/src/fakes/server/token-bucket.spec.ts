import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('lets a burst through, then one request per interval', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect(
      [bucket.tryTake(), bucket.tryTake(), bucket.tryTake()].every((take) => take.allowed),
    ).toBe(true);
    expect(bucket.tryTake()).toEqual({ allowed: false, retryAfterMs: 100 });
    now += 50;
    expect(bucket.tryTake()).toEqual({ allowed: false, retryAfterMs: 50 });
    now += 50;
    expect(bucket.tryTake()).toEqual({ allowed: true, remaining: 0 });
  });

  it('never holds more than its capacity', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 2, () => now);
    now += 60_000;
    expect(bucket.tryTake()).toEqual({ allowed: true, remaining: 1 });
    expect(bucket.tryTake()).toEqual({ allowed: true, remaining: 0 });
    expect(bucket.tryTake().allowed).toBe(false);
  });

  it('refuses nonsense settings', () => {
    expect(() => new TokenBucket(0, 1, () => 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, () => 0)).toThrow(RangeError);
  });
});
