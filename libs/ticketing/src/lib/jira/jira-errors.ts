import type { ProviderErrorBody } from '../http/http-transport';

/** Jira's ErrorCollection `{ errorMessages: [], errors: { field: message } }`, or a text body. */
export function parseJiraError(_status: number, data: unknown): ProviderErrorBody {
  if (typeof data === 'string') {
    return { messages: data.trim() === '' ? [] : [data.trim().slice(0, 500)], fieldErrors: {} };
  }
  if (data === null || typeof data !== 'object') return { messages: [], fieldErrors: {} };
  const record = data as Record<string, unknown>;
  const messages = Array.isArray(record['errorMessages'])
    ? record['errorMessages'].filter((m): m is string => typeof m === 'string')
    : [];
  const fieldErrors: Record<string, string> = {};
  const errors = record['errors'];
  if (errors !== null && typeof errors === 'object' && !Array.isArray(errors)) {
    for (const [field, message] of Object.entries(errors as Record<string, unknown>)) {
      if (typeof message === 'string') fieldErrors[field] = message;
    }
  }
  return { messages, fieldErrors };
}
