import { ManualClock } from '@hum/common';
import { FaultInjector, faultSpecSchema } from './faults';

const get = { method: 'GET', path: '/rest/api/3/myself' };
const create = { method: 'POST', path: '/rest/api/3/issue' };

describe('FaultInjector', () => {
  it('hits the next N matching requests, then stops', () => {
    const faults = new FaultInjector(new ManualClock());
    faults.inject({ kind: 'status', status: 503, times: 2, match: { method: 'POST' } });
    expect(faults.take(get, 'before')).toBeUndefined();
    expect(faults.take(create, 'before')).toEqual({ kind: 'status', status: 503 });
    expect(faults.take(create, 'before')).toEqual({ kind: 'status', status: 503 });
    expect(faults.take(create, 'before')).toBeUndefined();
  });

  it('defaults to one request, and a 429 to Retry-After: 1', () => {
    const faults = new FaultInjector(new ManualClock());
    faults.inject({ kind: 'status', status: 429 });
    expect(faults.take(get, 'before')).toEqual({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
    });
    expect(faults.take(get, 'before')).toBeUndefined();
  });

  it('hits every request in a time window', () => {
    const clock = new ManualClock();
    const faults = new FaultInjector(clock);
    faults.inject({ kind: 'drop', forMs: 1_000, match: { path: '/rest/api/3/*' } });
    expect(faults.take(get, 'before')).toEqual({ kind: 'drop', midResponse: false });
    expect(faults.take(create, 'before')).toEqual({ kind: 'drop', midResponse: false });
    clock.advance(1_000);
    expect(faults.take(get, 'before')).toBeUndefined();
    expect(faults.active()).toEqual([]);
  });

  it('keeps before- and after-phase faults apart', () => {
    const faults = new FaultInjector(new ManualClock());
    faults.inject({ kind: 'status', status: 504, phase: 'after' });
    expect(faults.take(create, 'before')).toBeUndefined();
    expect(faults.take(create, 'after')).toEqual({ kind: 'status', status: 504 });
  });

  it('sums matching latencies and replaces a latency for the same match', () => {
    const faults = new FaultInjector(new ManualClock());
    faults.inject({ kind: 'latency', ms: 50 });
    faults.inject({ kind: 'latency', ms: 20, match: { method: 'POST' } });
    expect(faults.latencyFor(get)).toBe(50);
    expect(faults.latencyFor(create)).toBe(70);
    faults.inject({ kind: 'latency', ms: 10 });
    expect(faults.latencyFor(get)).toBe(10);
    faults.clear();
    expect(faults.latencyFor(create)).toBe(0);
  });

  it('rate-limits with a token bucket on its clock', () => {
    const clock = new ManualClock();
    const faults = new FaultInjector(clock);
    expect(faults.takeToken()).toBeUndefined();
    faults.inject({ kind: 'rateLimit', requestsPerSecond: 4, burst: 1 });
    expect(faults.takeToken()).toMatchObject({ allowed: true, limitPerSecond: 4 });
    expect(faults.takeToken()).toMatchObject({ allowed: false, retryAfterMs: 250 });
    clock.advance(250);
    expect(faults.takeToken()).toMatchObject({ allowed: true });
  });

  it('validates specs that arrive over HTTP', () => {
    expect(faultSpecSchema.safeParse({ kind: 'status', status: 200 }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ kind: 'latency', ms: -1 }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ kind: 'drop', extra: true }).success).toBe(false);
    expect(faultSpecSchema.safeParse({ kind: 'rateLimit', requestsPerSecond: 10 }).success).toBe(
      true,
    );
  });
});
