import { PermanentError } from '@hum/common';

export interface ConfigProblem {
  /** The environment variable at fault (or its `_FILE` twin). */
  variable: string;
  /** What is wrong, never containing a secret's value. */
  message: string;
}

/**
 * The service cannot start with this environment. The message lists every problem, one per
 * line, so an operator fixes them all in one go rather than one restart at a time.
 */
export class ConfigError extends PermanentError {
  override readonly name = 'ConfigError';

  constructor(
    readonly service: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      [
        `invalid configuration for ${service} (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map((problem) => `  ${problem.variable}: ${problem.message}`),
      ].join('\n'),
    );
  }
}
