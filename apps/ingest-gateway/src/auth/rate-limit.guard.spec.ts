import type { ExecutionContext } from '@nestjs/common';
import { ManualClock } from '@hum/common';
import { ProblemException } from '@hum/runtime';
import { RateLimitGuard } from './rate-limit.guard';

function contextFor(keyId: string): ExecutionContext {
  const request = {
    principal: { kind: 'api-key', keyId, name: keyId, permissions: [], assets: [], teams: [] },
  };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

describe('RateLimitGuard', () => {
  it('gives each key its own bucket and answers 429 with Retry-After when it is empty', () => {
    const clock = new ManualClock();
    const guard = new RateLimitGuard(
      { ratePerMinute: 6, rateBurst: 2, maxFindings: 1, maxReportBytes: 1, spoolDirectory: '/tmp' },
      clock,
    );
    expect(guard.canActivate(contextFor('a'))).toBe(true);
    expect(guard.canActivate(contextFor('a'))).toBe(true);
    let thrown: unknown;
    try {
      guard.canActivate(contextFor('a'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    expect((thrown as ProblemException).problem).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '10' },
    });
    expect(guard.canActivate(contextFor('b'))).toBe(true);
    clock.advance(10_000);
    expect(guard.canActivate(contextFor('a'))).toBe(true);
  });
});
