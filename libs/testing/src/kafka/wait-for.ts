export interface WaitForOptions {
  /** Default 15 s: generous, because specs share two cores with a JVM broker. */
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the error; a function can add the state seen last. */
  describe: string | (() => string);
}

export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';
}

type Settled<T> = Exclude<T, false | null | undefined>;

function isSettled<T>(value: T): value is Settled<T> {
  return value !== false && value !== null && value !== undefined;
}

/**
 * Polls `probe` until it returns something other than false / null / undefined and resolves
 * with that value. A probe that throws counts as "not yet"; the last error is kept as the
 * cause of the timeout, which names what was awaited.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<Settled<T>> {
  const { timeoutMs = 15_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (isSettled(value)) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = typeof options.describe === 'function' ? options.describe() : options.describe;
      const last =
        lastError === undefined
          ? ''
          : ` (last attempt threw: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new WaitForTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${what}${last}`,
        lastError === undefined ? undefined : { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
