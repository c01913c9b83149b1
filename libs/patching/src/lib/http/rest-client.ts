import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import { PermanentError, RetriesExhaustedError, retry, RetryableError } from '@hum/common';

/** A refusal from the remote API that will not change by trying again (4xx other than 429). */
export class ApiError extends PermanentError {
  override readonly name = 'ApiError';

  constructor(
    message: string,
    readonly status: number,
    /** The API's own error text (never request headers, so never a credential). */
    readonly apiMessage: string,
  ) {
    super(message);
  }
}

export interface RestClientOptions {
  /** From configuration only: every request goes to this origin and below this path. */
  readonly baseUrl: string;
  /** Names the API in errors and logs: `GitHub (github-com)`. */
  readonly label: string;
  readonly headers: () => Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Attempts for idempotent requests (GET, PUT, DELETE) on transient errors. */
  readonly attempts?: number;
  /** A Retry-After longer than this is not waited for here: the error goes up to be rescheduled. */
  readonly maxInlineWaitMs?: number;
  readonly sleeper?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Statuses that are answers, not errors (404 for a lookup, 422 for "already exists"). */
  readonly accept?: readonly number[];
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
  readonly responseType?: 'json' | 'text';
}

export interface RestResponse<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_BAD_RESPONSE',
]);

/** Encodes one path segment: finding data never adds a segment, a query or a host. */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}

/** Milliseconds to wait from Retry-After (seconds or an HTTP date) or a rate-limit reset time. */
export function retryAfterMs(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | undefined {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  // GitHub's primary rate limit: remaining 0 and a reset time in epoch seconds.
  const reset = headers['x-ratelimit-reset'] ?? headers['ratelimit-reset'];
  if (headers['x-ratelimit-remaining'] === '0' && reset !== undefined) {
    const at = Number(reset) * 1000;
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  return undefined;
}

function apiMessage(data: unknown): string {
  if (typeof data === 'string') return data.slice(0, 500);
  if (typeof data !== 'object' || data === null) return '';
  const body = data as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['message', 'error', 'detail', 'error_description']) {
    const value = body[key];
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) parts.push(value.map(String).join('; '));
  }
  // GitHub's validation errors and AWX's field errors say what was wrong.
  if (Array.isArray(body['errors']))
    parts.push(
      (body['errors'] as unknown[])
        .map((e) =>
          typeof e === 'object' && e !== null
            ? String((e as Record<string, unknown>)['message'] ?? JSON.stringify(e))
            : String(e),
        )
        .join('; '),
    );
  if (parts.length === 0) {
    for (const [key, value] of Object.entries(body).slice(0, 5))
      if (Array.isArray(value)) parts.push(`${key}: ${value.map(String).join(', ')}`);
  }
  return parts.join(' — ').slice(0, 500);
}

function isSecondaryRateLimit(
  status: number,
  message: string,
  headers: Record<string, string>,
): boolean {
  return (
    status === 403 &&
    (headers['retry-after'] !== undefined ||
      headers['x-ratelimit-remaining'] === '0' ||
      /rate limit/i.test(message))
  );
}

/**
 * The one way hum's patch strategies call a REST API: base URL from configuration, no
 * redirects (a redirect could lead anywhere), typed errors — {@link RetryableError} with
 * Retry-After for 429, 5xx, rate-limit 403s and dropped connections; {@link ApiError} for
 * other refusals. Idempotent requests are retried with backoff and jitter; POSTs never are
 * (the strategies look up what a lost response may have created before trying again).
 */
export class RestClient {
  private readonly http: AxiosInstance;
  private readonly base: URL;

  constructor(private readonly options: RestClientOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    this.http = axios.create({
      timeout: options.timeoutMs ?? 30_000,
      maxRedirects: 0,
      proxy: false,
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
  }

  get label(): string {
    return this.options.label;
  }

  /** The absolute URL of an API path, refusing anything that leaves the configured base. */
  url(path: string): string {
    if (path === '') return this.base.href.replace(/\/$/, '');
    if (!path.startsWith('/')) throw new PermanentError(`API path must start with /: ${path}`);
    const url = new URL(this.base.href.replace(/\/$/, '') + path);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname))
      throw new PermanentError(
        `${this.options.label}: refusing a request outside ${this.base.href}`,
      );
    // An empty or dot segment means a missing or hostile parameter, never a real resource.
    if (path.includes('//') || path.split('/').some((s) => s === '..' || s === '.'))
      throw new PermanentError(
        `${this.options.label}: refusing an empty or dot segment in ${path}`,
      );
    return url.href;
  }

  async request<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<RestResponse<T>> {
    const once = (): Promise<RestResponse<T>> => this.send<T>(method, path, options);
    if (!IDEMPOTENT.has(method.toUpperCase())) return once();
    try {
      return await retry(once, {
        policy: {
          maxAttempts: this.options.attempts ?? 3,
          initialDelayMs: 250,
          maxDelayMs: 5_000,
        },
        shouldRetry: (error) =>
          error instanceof RetryableError &&
          (error.retryAfterMs ?? 0) <= (this.options.maxInlineWaitMs ?? 10_000),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.options.sleeper ? { sleeper: this.options.sleeper } : {}),
      });
    } catch (error) {
      // Out of inline tries the fault is still transient: the caller reschedules the attempt
      // with its own, longer backoff, which it can only do if the error stays retryable.
      if (error instanceof RetriesExhaustedError && error.cause instanceof RetryableError)
        throw new RetryableError(`${error.cause.message} (after ${error.attempts} tries)`, {
          cause: error.cause,
          ...(error.cause.retryAfterMs !== undefined
            ? { retryAfterMs: error.cause.retryAfterMs }
            : {}),
        });
      throw error;
    }
  }

  get<T>(path: string, options?: RequestOptions): Promise<RestResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown, options?: RequestOptions): Promise<RestResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T>(path: string, body: unknown, options?: RequestOptions): Promise<RestResponse<T>> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  patch<T>(path: string, body: unknown, options?: RequestOptions): Promise<RestResponse<T>> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  private async send<T>(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<RestResponse<T>> {
    const url = this.url(path);
    const what = `${this.options.label} ${method} ${path}`;
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.request({
        method,
        url,
        params: options.query,
        data: options.body,
        headers: {
          accept: 'application/json',
          'user-agent': 'hum-auto-patcher',
          ...this.options.headers(),
          ...options.headers,
        },
        responseType: options.responseType === 'text' ? 'text' : 'json',
        signal: options.signal,
      });
    } catch (error) {
      if (isAxiosError(error)) {
        const code = error.code ?? '';
        if (
          TRANSIENT_CODES.has(code) ||
          error.message.includes('socket hang up') ||
          code === 'ERR_CANCELED'
        )
          throw new RetryableError(`${what}: ${code || error.message}`, { cause: error });
      }
      throw new RetryableError(
        `${what}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
      else if (Array.isArray(value)) headers[name.toLowerCase()] = value.join(', ');
      else if (typeof value === 'number') headers[name.toLowerCase()] = String(value);
    }
    const status = response.status;
    if ((status >= 200 && status < 300) || options.accept?.includes(status))
      return { status, data: response.data as T, headers };
    const message = apiMessage(response.data);
    const wait = retryAfterMs(headers);
    if (status === 429 || status >= 500 || isSecondaryRateLimit(status, message, headers))
      throw new RetryableError(`${what} answered ${status}${message ? `: ${message}` : ''}`, {
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      });
    if (status >= 300 && status < 400)
      throw new ApiError(
        `${what} answered a redirect (${status}); redirects are not followed`,
        status,
        message,
      );
    throw new ApiError(
      `${what} answered ${status}${message ? `: ${message}` : ''}`,
      status,
      message,
    );
  }
}
