import { PermanentError, RetryableError } from './errors';
import { backoffDelay, DEFAULT_BACKOFF, retry, RetriesExhaustedError } from './retry';

const noSleep = async (): Promise<void> => undefined;

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const top = (): number => 1;
    expect(backoffDelay(DEFAULT_BACKOFF, 1, top)).toBe(100);
    expect(backoffDelay(DEFAULT_BACKOFF, 2, top)).toBe(200);
    expect(backoffDelay(DEFAULT_BACKOFF, 4, top)).toBe(800);
    expect(backoffDelay(DEFAULT_BACKOFF, 20, top)).toBe(10_000);
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0)).toBe(0);
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0.5)).toBe(200);
  });

  it('never waits less than the server asked for', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 1, () => 0, 3_000)).toBe(3_000);
  });
});

describe('retry', () => {
  it('retries retryable errors and returns the eventual result', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retry(
      async (attempt) => {
        calls += 1;
        if (attempt < 3) throw new RetryableError('flaky');
        return 'ok';
      },
      { sleeper: noSleep, random: () => 1, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([100, 200]);
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new PermanentError('bad input');
        },
        { sleeper: noSleep },
      ),
    ).rejects.toThrow('bad input');
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts and keeps the last error as cause', async () => {
    let calls = 0;
    const failure = retry(
      async () => {
        calls += 1;
        throw new RetryableError(`down ${calls}`);
      },
      { sleeper: noSleep, policy: { maxAttempts: 4 } },
    );
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    const error = (await failure.catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error.attempts).toBe(4);
    expect((error.cause as Error).message).toBe('down 4');
  });

  it('honours Retry-After from the error', async () => {
    const delays: number[] = [];
    await retry(
      async (attempt) => {
        if (attempt === 1) throw new RetryableError('429', { retryAfterMs: 1_500 });
        return undefined;
      },
      { sleeper: noSleep, random: () => 0, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(delays).toEqual([1_500]);
  });
});
