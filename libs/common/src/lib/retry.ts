import { isRetryable } from './errors';

export interface BackoffPolicy {
  /** Total attempts including the first; 1 means no retry. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Growth per attempt; 2 doubles the ceiling each time. */
  multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  maxAttempts: 5,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  multiplier: 2,
};

/**
 * Delay before retry number `attempt` (1 = the first retry), "full jitter": uniform in
 * [0, ceiling], so replicas that failed together do not retry together. A server-requested
 * delay (Retry-After) is a floor, never shortened by jitter.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
  requestedMs?: number,
): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1),
  );
  const jittered = Math.round(random() * ceiling);
  return requestedMs === undefined ? jittered : Math.max(jittered, requestedMs);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy?: Partial<BackoffPolicy>;
  /** Which errors are worth another attempt; defaults to {@link isRetryable}. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  random?: () => number;
  sleeper?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';

  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`gave up after ${attempts} attempt(s)`, { cause });
  }
}

/**
 * The one retry helper: runs `fn` until it succeeds, the error is not retryable (rethrown
 * as is), or attempts run out ({@link RetriesExhaustedError} with the last error as cause).
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = { ...DEFAULT_BACKOFF, ...options.policy };
  const shouldRetry = options.shouldRetry ?? ((error: unknown) => isRetryable(error));
  const pause = options.sleeper ?? sleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!shouldRetry(error, attempt)) throw error;
      if (attempt >= policy.maxAttempts) throw new RetriesExhaustedError(attempt, error);
      const requested = isRetryable(error) ? error.retryAfterMs : undefined;
      const delay = backoffDelay(policy, attempt, options.random, requested);
      options.onRetry?.(error, attempt, delay);
      await pause(delay, options.signal);
    }
  }
}
