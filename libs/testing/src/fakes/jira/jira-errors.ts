/**
 * A request Jira refuses, carried to the route boundary and answered with Jira's
 * ErrorCollection shape: `{ errorMessages: [...], errors: { field: message } }`.
 */
export class JiraApiError extends Error {
  override readonly name = 'JiraApiError';

  constructor(
    readonly status: number,
    readonly errorMessages: readonly string[],
    readonly errors: Readonly<Record<string, string>> = {},
  ) {
    super(errorMessages[0] ?? Object.values(errors)[0] ?? `HTTP ${status}`);
  }

  static fieldErrors(errors: Record<string, string>): JiraApiError {
    return new JiraApiError(400, [], errors);
  }

  static badRequest(message: string): JiraApiError {
    return new JiraApiError(400, [message]);
  }

  toBody(): { errorMessages: string[]; errors: Record<string, string> } {
    return { errorMessages: [...this.errorMessages], errors: { ...this.errors } };
  }
}

export const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

export function cannotSetField(field: string): string {
  return `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
}
