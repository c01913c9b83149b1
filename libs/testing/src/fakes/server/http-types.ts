import type { IncomingHttpHeaders } from 'node:http';

/** How a caller proved who it is; recorded so specs can assert on it without seeing a secret. */
export type AuthScheme = 'basic' | 'bearer' | 'none' | 'other';

export interface Principal {
  /** Who the fake thinks is calling: an email, user name or OAuth client, never a secret. */
  readonly user: string;
  readonly scheme: AuthScheme;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; undefined when the request had none. */
  readonly body: unknown;
  readonly params: Readonly<Record<string, string>>;
  /** Set for every authenticated route; public routes see undefined. */
  readonly principal: Principal | undefined;
}

export interface FakeResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly text?: string;
  readonly html?: string;
}

export function jsonResponse(
  status: number,
  json: unknown,
  headers?: Record<string, string>,
): FakeResponse {
  return headers === undefined ? { status, json } : { status, json, headers };
}

export function noContent(): FakeResponse {
  return { status: 204 };
}
