import type { IncomingHttpHeaders } from 'node:http';
import type { TicketTable } from './html-page';
import type { AuthScheme, FakeResponse, Principal } from './http-types';
import type { Router } from './router';

export type AuthOutcome =
  | { readonly kind: 'authenticated'; readonly principal: Principal }
  | { readonly kind: 'missing' }
  | { readonly kind: 'rejected'; readonly scheme: AuthScheme };

export type AuthFailure = Exclude<AuthOutcome, { kind: 'authenticated' }>;

/**
 * What makes one fake differ from another: its routes, how it authenticates, and how its
 * errors look on the wire. The shared server supplies everything else (faults, journal,
 * control API, the HTML page shell).
 */
export interface FakeService {
  readonly name: string;
  readonly api: Router;
  /** Extra `/__fake/...` routes beyond the shared ones (requests, faults, reset, state). */
  readonly control: Router;
  authenticate(headers: IncomingHttpHeaders): AuthOutcome;
  unauthorized(failure: AuthFailure): FakeResponse;
  /** The service's own error shape for a status: unknown route, bad JSON, injected 5xx. */
  errorResponse(status: number, message: string, retryAfterSeconds?: number): FakeResponse;
  /** Answer to a request over the rate limit, with the headers the real service sends. */
  rateLimited(retryAfterSeconds: number, limitPerSecond: number, now: Date): FakeResponse;
  ticketTable(): TicketTable;
  /** Every credential the fake knows or issued, so the journal can redact them. */
  secrets(): readonly string[];
  reset(): void;
  snapshot(): unknown;
}

/** Filled in once the server listens; self links in responses read it lazily. */
export class BaseUrl {
  private current = 'http://127.0.0.1';

  get value(): string {
    return this.current;
  }

  set(url: string): void {
    this.current = url.replace(/\/+$/, '');
  }
}
