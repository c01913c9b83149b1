import { isRetryable, ManualClock } from '@hum/common';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { CircuitOpenError } from './errors';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, fails fast with a retry time, and closes after a good trial', () => {
    const clock = new ManualClock();
    const changes: CircuitState[] = [];
    const breaker = new CircuitBreaker(
      'jira',
      { failureThreshold: 3, openMs: 10_000 },
      clock,
      (s) => changes.push(s),
    );
    breaker.admit();
    breaker.failed();
    breaker.failed();
    breaker.admit();
    breaker.failed();
    expect(breaker.state).toBe('open');
    let error: unknown;
    try {
      breaker.admit();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isRetryable(error)).toBe(true);
    expect((error as CircuitOpenError).retryAfterMs).toBe(10_000);
    clock.advance(10_000);
    expect(breaker.state).toBe('half-open');
    breaker.admit(); // the one trial
    expect(() => breaker.admit()).toThrow(CircuitOpenError); // no second trial meanwhile
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'closed']);
  });

  it('reopens when the trial fails, and a success resets the count', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker('sn', { failureThreshold: 2, openMs: 1_000 }, clock);
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    expect(breaker.state).toBe('closed');
    breaker.failed();
    clock.advance(1_000);
    breaker.admit();
    breaker.failed();
    expect(breaker.state).toBe('open');
  });

  it('is not moved by answers that say nothing about availability', () => {
    const breaker = new CircuitBreaker(
      'x',
      { failureThreshold: 1, openMs: 1_000 },
      new ManualClock(),
    );
    breaker.neutral();
    expect(breaker.state).toBe('closed');
  });
});
