import { PermanentError, RetryableError } from '@hum/common';
import type { TicketProviderName } from '@hum/contracts';

/** Where a request went, without query strings or credentials: safe for logs and DLQ headers. */
export interface RequestSite {
  readonly provider: TicketProviderName;
  readonly method: string;
  readonly path: string;
}

function where(site: RequestSite): string {
  return `${site.provider} ${site.method} ${site.path}`;
}

/** The tracker is unavailable for now (429, 5xx, timeout, connection failure); try later. */
export class TicketProviderUnavailableError extends RetryableError {
  override readonly name: string = 'TicketProviderUnavailableError';

  constructor(
    readonly site: RequestSite,
    readonly status: number | undefined,
    detail: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(`${where(site)}: ${detail}`, options);
  }
}

/**
 * A write whose outcome is unknown: the connection dropped or the server failed after the
 * request was sent, so the change may or may not have been applied. Callers must look the
 * result up before trying again; resending blindly could create a second ticket.
 */
export class AmbiguousWriteError extends TicketProviderUnavailableError {
  override readonly name: string = 'AmbiguousWriteError';
}

/** The provider's circuit is open after repeated failures; nothing was sent. */
export class CircuitOpenError extends RetryableError {
  override readonly name: string = 'CircuitOpenError';
}

/**
 * The tracker refused the request as invalid (400/422) and will refuse it again: the
 * provider's own field messages are kept so the DLQ says what to fix.
 */
export class TicketRequestRejectedError extends PermanentError {
  override readonly name: string = 'TicketRequestRejectedError';

  constructor(
    readonly site: RequestSite,
    readonly status: number,
    readonly messages: readonly string[],
    readonly fieldErrors: Readonly<Record<string, string>>,
  ) {
    const fields = Object.entries(fieldErrors).map(([field, message]) => `${field}: ${message}`);
    super(
      `${where(site)} rejected (${status}): ${[...messages, ...fields].join('; ') || 'no detail'}`,
    );
  }
}

/** Credentials refused or not allowed (401/403): a configuration problem, not a transient one. */
export class TicketAuthError extends PermanentError {
  override readonly name: string = 'TicketAuthError';

  constructor(
    readonly site: RequestSite,
    readonly status: number,
    detail: string,
  ) {
    super(`${where(site)}: ${status} ${detail}`);
  }
}

/** Any other answer the client cannot act on (e.g. 404 on a write, 409, an unexpected body). */
export class TicketProviderError extends PermanentError {
  override readonly name: string = 'TicketProviderError';

  constructor(
    readonly site: RequestSite,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`${where(site)}: ${status === undefined ? '' : `${status} `}${detail}`);
  }
}
