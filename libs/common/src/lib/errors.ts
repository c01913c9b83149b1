/**
 * Errors say whether trying again can help. Consumers retry {@link RetryableError}s with
 * backoff and dead-letter everything else at once, so a handler must pick deliberately.
 */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
  /** Milliseconds the remote side asked us to wait (e.g. HTTP Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A failure that will fail the same way every time: bad input, a 400, a broken contract. */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

export function isRetryable(error: unknown): error is RetryableError {
  return error instanceof RetryableError;
}

/** A one-line description of any thrown value, with its cause chain, safe to put in a header. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join(' <- caused by ');
}
