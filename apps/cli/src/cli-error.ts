import { EXIT, type ExitCode } from './exit-codes';

/**
 * A failure the CLI explains itself: one line for the person reading the CI log, optional
 * detail lines under it, and the exit code a pipeline branches on.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';

  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The machine-readable form printed on stdout with `--json`. */
  toJson(): Record<string, unknown> {
    return {
      exitCode: this.exitCode,
      message: this.message,
      ...(this.details.length > 0 ? { details: this.details } : {}),
      retryable: this.retryable,
    };
  }

  /** Exit codes after which trying again later can succeed. */
  get retryable(): boolean {
    return this.exitCode === EXIT.unavailable || this.exitCode === EXIT.temporary;
  }
}

/** The command line itself is wrong; the message names the flag or argument. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super(EXIT.usage, message);
  }
}
