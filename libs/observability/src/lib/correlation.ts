import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface CorrelationScope {
  correlationId: string;
}

const storage = new AsyncLocalStorage<CorrelationScope>();

/**
 * Runs `fn` with a correlation id that every log line written inside it carries, so one
 * report can be followed from the HTTP request through Kafka into each service.
 */
export function withCorrelation<T>(correlationId: string | undefined, fn: () => T): T {
  return storage.run({ correlationId: correlationId ?? randomUUID() }, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Accepts only ids that are safe to echo into logs and headers. */
export function sanitizeCorrelationId(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  return /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
