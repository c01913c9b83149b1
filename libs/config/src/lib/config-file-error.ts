import { PermanentError } from '@hum/common';

/** One problem in a configuration file, located so that a person can go straight to it. */
export interface ConfigIssue {
  /** 1-based line of the offending key or value. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** The field at fault, as written in the file: `scoring.environment.prod`, `overrides[2].tier`. */
  readonly field: string;
  readonly message: string;
}

/**
 * A policy or inventory file that must not be used: the service refuses to start with it and
 * prints this error, whose message lists every issue with its line, column and field.
 */
export class ConfigFileError extends PermanentError {
  override readonly name: string = 'ConfigFileError';

  constructor(
    /** What was being read, e.g. `risk policy libs/risk/data/policy/risk-policy.yaml`. */
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(describeIssues(source, issues));
  }
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const field = issue.field === '' ? '' : `, field ${issue.field}`;
  return `line ${issue.line}, column ${issue.column}${field}: ${issue.message}`;
}

function describeIssues(source: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return [
    `${source} is invalid (${count}):`,
    ...issues.map((i) => `  ${formatConfigIssue(i)}`),
  ].join('\n');
}
