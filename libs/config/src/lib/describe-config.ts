import { redactUrl } from './redact-url';
import { REDACTED, Secret } from './secret';

/**
 * The configuration as a plain object that is safe to log at start-up: secrets print as
 * `[redacted]` and passwords inside URLs (e.g. `DATABASE_URL`) as `***`.
 */
export function describeConfig(config: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, describeValue(value)]),
  );
}

function describeValue(value: unknown): unknown {
  if (value instanceof Secret) return REDACTED;
  if (typeof value === 'string') return redactUrl(value);
  if (value instanceof URL) return redactUrl(value.href);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(describeValue);
  if (typeof value === 'object' && value !== null) return describeConfig(value);
  return value;
}
