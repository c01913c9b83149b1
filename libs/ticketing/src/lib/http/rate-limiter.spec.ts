import { ManualClock } from '@hum/common';
import { RateLimiter, RateLimiterRegistry } from './rate-limiter';

/** A limiter whose waits move a manual clock instead of the wall clock. */
function limiterOn(clock: ManualClock, requestsPerSecond: number, burst: number) {
  const waits: number[] = [];
  const limiter = new RateLimiter({ requestsPerSecond, burst }, clock, (ms) => {
    waits.push(ms);
    clock.advance(ms);
    return Promise.resolve();
  });
  return { limiter, waits };
}

describe('RateLimiter', () => {
  it('lets a burst through, then spaces requests at the rate, in arrival order', async () => {
    const clock = new ManualClock();
    const { limiter } = limiterOn(clock, 10, 2);
    const start = clock.now().getTime();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () =>
        limiter.acquire().then(() => times.push(clock.now().getTime() - start)),
      ),
    );
    // Two at once, then one every 100 ms of (manual) time.
    expect(times).toEqual([0, 0, 100, 200, 300, 400]);
  });

  it('pauses every caller of the site when the server asks (Retry-After)', async () => {
    const clock = new ManualClock();
    const { limiter, waits } = limiterOn(clock, 100, 100);
    limiter.pauseFor(2_000);
    const before = clock.now().getTime();
    await limiter.acquire();
    expect(clock.now().getTime() - before).toBeGreaterThanOrEqual(2_000);
    expect(waits[0]).toBe(2_000);
  });

  it('does not let a caller that gave up block the others', async () => {
    const clock = new ManualClock();
    const aborted = new AbortController();
    const limiter = new RateLimiter({ requestsPerSecond: 1, burst: 1 }, clock, (ms, signal) => {
      if (signal?.aborted) return Promise.reject(new Error('aborted'));
      clock.advance(ms);
      return Promise.resolve();
    });
    await limiter.acquire();
    aborted.abort();
    await expect(limiter.acquire(aborted.signal)).rejects.toThrow('aborted');
    await expect(limiter.acquire()).resolves.toBeUndefined();
  });
});

describe('RateLimiterRegistry', () => {
  it('gives every provider and worker of one site the same limiter, and each site its own', () => {
    const registry = new RateLimiterRegistry(
      { requestsPerSecond: 10, burst: 1 },
      new ManualClock(),
    );
    const cloud = registry.forSite('https://bank.atlassian.net');
    expect(registry.forSite('https://bank.atlassian.net/')).toBe(cloud);
    expect(registry.forSite('https://BANK.atlassian.net/rest/api/3')).toBe(cloud);
    expect(registry.forSite('https://bank.service-now.com')).not.toBe(cloud);
  });
});
