import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import {
  type BackoffPolicy,
  type Clock,
  isRetryable,
  retry,
  RetriesExhaustedError,
  systemClock,
} from '@hum/common';
import type { TicketProviderName } from '@hum/contracts';
import type { CircuitBreaker } from './circuit-breaker';
import {
  AmbiguousWriteError,
  TicketAuthError,
  TicketProviderError,
  TicketProviderUnavailableError,
  TicketRequestRejectedError,
  type RequestSite,
} from './errors';
import type { RateLimiter } from './rate-limiter';
import { retryAfterMs } from './retry-after';

/** What a tracker said was wrong, in its own words. */
export interface ProviderErrorBody {
  readonly messages: readonly string[];
  readonly fieldErrors: Readonly<Record<string, string>>;
}

export interface HttpTransportOptions {
  readonly provider: TicketProviderName;
  readonly baseUrl: string;
  /** Authentication headers for the next request; called per request so tokens can rotate. */
  readonly authenticate: () => Promise<Record<string, string>>;
  /**
   * Called once when a request is answered 401: true when credentials were renewed (an OAuth
   * token fetched again) and the request is worth sending once more.
   */
  readonly renewCredentials?: () => Promise<boolean>;
  /** Reads the tracker's error body; must not throw (an unreadable body yields no messages). */
  readonly parseError: (status: number, data: unknown) => ProviderErrorBody;
  readonly limiter: RateLimiter;
  readonly breaker: CircuitBreaker;
  readonly timeoutMs: number;
  /** Request-level retries of requests that are safe to repeat. */
  readonly retry?: Partial<BackoffPolicy>;
  readonly clock?: Clock;
  readonly random?: () => number;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  /**
   * True when sending the request twice has the same effect as once (reads, searches, field
   * sets). Other requests are repeated only when the server surely did not apply them.
   */
  readonly idempotent: boolean;
  /** Answer 404 as a result instead of an error (lookups of tickets that may be gone). */
  readonly allowNotFound?: boolean;
}

export interface HttpResult<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
}

// Connection failures where the request never reached the server.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const DEFAULT_RETRY: Partial<BackoffPolicy> = {
  maxAttempts: 3,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
};

/** Pooled keep-alive connections: a tracker behind TLS would otherwise pay a handshake per call. */
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

/** The server surely did not apply the request (429, connection refused): safe to resend. */
class NotApplied extends TicketProviderUnavailableError {
  override readonly name: string = 'RequestNotAppliedError';
}

/**
 * The one way hum talks HTTP to a tracker: each request waits for the site's rate limit,
 * passes the provider's circuit breaker, and comes back as data or as a typed error —
 * retryable (429 honouring Retry-After, 5xx, timeouts, resets), ambiguous (a write whose
 * outcome is unknown), or permanent (400 with the tracker's field messages, auth failures).
 * Errors carry method, path and status only: never credentials, headers or query strings.
 */
export class HttpTransport {
  private readonly client: AxiosInstance;
  private readonly clock: Clock;

  constructor(private readonly options: HttpTransportOptions) {
    this.clock = options.clock ?? systemClock;
    this.client = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs,
      httpAgent,
      httpsAgent,
      // Statuses are mapped to typed errors below, never thrown by axios with its config.
      validateStatus: () => true,
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true },
    });
  }

  get provider(): TicketProviderName {
    return this.options.provider;
  }

  async request<T>(request: HttpRequest): Promise<HttpResult<T>> {
    const site: RequestSite = {
      provider: this.options.provider,
      method: request.method,
      path: request.path,
    };
    let renewed = false;
    try {
      return await retry(
        async () => {
          try {
            return await this.send<T>(request, site);
          } catch (error) {
            if (
              error instanceof TicketAuthError &&
              error.status === 401 &&
              !renewed &&
              this.options.renewCredentials
            ) {
              renewed = true;
              if (await this.options.renewCredentials()) return this.send<T>(request, site);
            }
            throw error;
          }
        },
        {
          policy: { ...DEFAULT_RETRY, ...this.options.retry },
          ...(this.options.random ? { random: this.options.random } : {}),
          shouldRetry: (error) =>
            error instanceof TicketProviderUnavailableError &&
            !(error instanceof AmbiguousWriteError) &&
            (request.idempotent || error instanceof NotApplied),
        },
      );
    } catch (error) {
      // Upstream retries (the consumer's backoff) must still see a retryable error.
      if (error instanceof RetriesExhaustedError && isRetryable(error.cause)) throw error.cause;
      throw error;
    }
  }

  private async send<T>(request: HttpRequest, site: RequestSite): Promise<HttpResult<T>> {
    this.options.breaker.admit();
    await this.options.limiter.acquire();
    let response: AxiosResponse<unknown>;
    try {
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(await this.options.authenticate()),
      };
      let data: unknown = request.body;
      if (request.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        data = new URLSearchParams({ ...request.form }).toString();
      } else if (request.body !== undefined) {
        headers['content-type'] = 'application/json';
      }
      response = await this.client.request({
        method: request.method,
        url: request.path,
        ...(request.query ? { params: request.query } : {}),
        ...(data !== undefined ? { data } : {}),
        headers,
      });
    } catch (error) {
      this.options.breaker.failed();
      throw this.connectionFailure(error, request, site);
    }
    return this.interpret<T>(response, request, site);
  }

  private interpret<T>(
    response: AxiosResponse<unknown>,
    request: HttpRequest,
    site: RequestSite,
  ): HttpResult<T> {
    const status = response.status;
    const headers = flatHeaders(response.headers);
    if (status >= 200 && status < 300) {
      this.options.breaker.succeeded();
      return { status, data: response.data as T, headers };
    }
    if (status === 404 && request.allowNotFound) {
      this.options.breaker.neutral();
      return { status, data: response.data as T, headers };
    }
    const problem = this.options.parseError(status, response.data);
    const detail = problem.messages.join('; ') || `HTTP ${status}`;
    if (status === 429) {
      const wait = retryAfterMs(headers['retry-after'], this.clock.now()) ?? 1_000;
      this.options.limiter.pauseFor(wait);
      this.options.breaker.neutral();
      // Rate-limited requests were not processed: safe to send again, even writes.
      throw new NotApplied(site, status, `rate limited: ${detail}`, { retryAfterMs: wait });
    }
    if (status >= 500) {
      this.options.breaker.failed();
      const wait = retryAfterMs(headers['retry-after'], this.clock.now());
      const options = wait === undefined ? {} : { retryAfterMs: wait };
      if (!request.idempotent) {
        throw new AmbiguousWriteError(
          site,
          status,
          `server error after the write was sent: ${detail}`,
          options,
        );
      }
      throw new TicketProviderUnavailableError(site, status, `server error: ${detail}`, options);
    }
    this.options.breaker.neutral();
    if (status === 401) throw new TicketAuthError(site, status, detail);
    if (status === 400 || status === 422 || status === 403) {
      if (
        status === 403 &&
        Object.keys(problem.fieldErrors).length === 0 &&
        problem.messages.length === 0
      ) {
        throw new TicketAuthError(site, status, 'forbidden');
      }
      throw new TicketRequestRejectedError(site, status, problem.messages, problem.fieldErrors);
    }
    throw new TicketProviderError(site, status, detail);
  }

  private connectionFailure(error: unknown, request: HttpRequest, site: RequestSite): Error {
    const code = isAxiosError(error) ? (error.code ?? 'ERR_NETWORK') : 'ERR_UNKNOWN';
    // The axios error holds the request config, headers included: only its code travels on.
    const summary = `${code}${isAxiosError(error) && error.message ? ` (${redactedMessage(error.message)})` : ''}`;
    if (NOT_SENT_CODES.has(code)) {
      return new NotApplied(site, undefined, `connection failed: ${summary}`);
    }
    if (!request.idempotent) {
      return new AmbiguousWriteError(site, undefined, `no answer to a write: ${summary}`);
    }
    return new TicketProviderUnavailableError(site, undefined, `no answer: ${summary}`);
  }
}

function redactedMessage(message: string): string {
  // Node's messages name hosts and ports at most; strip anything URL-like with userinfo anyway.
  return message.replace(/\/\/[^/\s@]+@/g, '//[redacted]@').slice(0, 200);
}

function flatHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === null || typeof headers !== 'object') return out;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.map(String).join(', ');
    else if (typeof value === 'number') out[name.toLowerCase()] = String(value);
  }
  return out;
}
