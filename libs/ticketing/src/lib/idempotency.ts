import { createHash } from 'node:crypto';
import type { TicketProviderName } from '@hum/contracts';

/** The label every ticket hum manages carries, so reconciliation can list them all. */
export const MANAGED_LABEL = 'hum';
export const IDEMPOTENCY_PREFIX = 'hum-';

/**
 * The key that finds a group's ticket on the tracker: a Jira label or a ServiceNow
 * correlation_id. Deterministic in provider + group (+ generation, when a ticket had to be
 * replaced), short, and free of spaces and characters JQL or encoded queries would mangle.
 */
export function idempotencyKey(
  provider: TicketProviderName,
  groupKey: string,
  generation = 1,
): string {
  const basis =
    generation === 1 ? `${provider}|${groupKey}` : `${provider}|${groupKey}|${generation}`;
  return `${IDEMPOTENCY_PREFIX}${createHash('sha256').update(basis).digest('hex').slice(0, 24)}`;
}

export function isIdempotencyKey(value: string): boolean {
  return /^hum-[0-9a-f]{24}$/.test(value);
}
