import { PermanentError } from '@hum/common';

/**
 * The database could not be reached or opened at start-up, after the bounded retries. The
 * target names host, port and database with the password masked.
 */
export class DatabaseConnectionError extends PermanentError {
  override readonly name = 'DatabaseConnectionError';

  constructor(
    message: string,
    readonly target: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A migration failed; every migration of that run was rolled back with it. */
export class MigrationError extends PermanentError {
  override readonly name = 'MigrationError';

  constructor(
    message: string,
    /** The failing migration, when one had started; undefined for a failure before any ran. */
    readonly migration: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
