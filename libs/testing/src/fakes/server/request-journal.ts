import type { AuthScheme } from './http-types';

/** How the fake answered: normally, or through one of the failure paths a spec may assert on. */
export type RequestOutcome =
  'handled' | 'unauthorized' | 'rate-limited' | 'injected-status' | 'dropped' | 'server-error';

export interface RecordedRequest {
  /** 1, 2, 3... in arrival order; `requests({ since })` pages on it. */
  readonly seq: number;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** The query string as sent, secrets replaced by [REDACTED]. */
  readonly query: Readonly<Record<string, string>>;
  /** Headers without Authorization/Cookie, secrets replaced. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly authScheme: AuthScheme;
  /** The authenticated user; undefined when authentication failed or was not attempted. */
  readonly authUser: string | undefined;
  /** True when a known secret appeared in the URL: a client bug the real service would log. */
  readonly secretInUrl: boolean;
  readonly status: number | undefined;
  readonly outcome: RequestOutcome;
}

export interface RequestFilter {
  readonly method?: string;
  /** Exact path, or a prefix when it ends with `*`. */
  readonly path?: string;
  readonly since?: number;
}

export const REDACTED = '[REDACTED]';
export const DEFAULT_JOURNAL_LIMIT = 50_000;
const HIDDEN_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * Every API request a fake received, in order. Secrets never enter it: the fake knows every
 * credential it issued, and replaces each occurrence before the entry is stored.
 */
export class RequestJournal {
  private entries: RecordedRequest[] = [];
  private nextSeq = 1;

  /**
   * @param limit entries kept; the oldest go first, so a long benchmark run does not grow
   *   the fake without bound (sequence numbers keep counting).
   */
  constructor(
    private readonly secrets: () => readonly string[],
    private readonly limit = DEFAULT_JOURNAL_LIMIT,
  ) {}

  record(entry: {
    at: Date;
    method: string;
    rawUrl: string;
    path: string;
    query: URLSearchParams;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
    authScheme: AuthScheme;
    authUser: string | undefined;
    status: number | undefined;
    outcome: RequestOutcome;
  }): RecordedRequest {
    // Every form of every secret, worked out once per request rather than for each string of
    // the body (an ADF document has hundreds).
    const secrets = secretForms(this.secrets());
    const query: Record<string, string> = {};
    for (const [name, value] of entry.query) query[name] = redactString(value, secrets);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(entry.headers)) {
      if (value === undefined || HIDDEN_HEADERS.has(name.toLowerCase())) continue;
      headers[name] = redactString(Array.isArray(value) ? value.join(', ') : value, secrets);
    }
    const recorded: RecordedRequest = {
      seq: this.nextSeq,
      at: entry.at.toISOString(),
      method: entry.method,
      path: redactString(entry.path, secrets),
      query,
      headers,
      body: redactValue(entry.body, secrets),
      authScheme: entry.authScheme,
      authUser: entry.authUser,
      secretInUrl: secrets.some((form) => entry.rawUrl.includes(form)),
      status: entry.status,
      outcome: entry.outcome,
    };
    this.nextSeq += 1;
    this.entries.push(recorded);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return recorded;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.entries.filter(
      (entry) =>
        (filter.since === undefined || entry.seq > filter.since) &&
        (filter.method === undefined ||
          entry.method.toUpperCase() === filter.method.toUpperCase()) &&
        (filter.path === undefined ||
          (filter.path.endsWith('*')
            ? entry.path.startsWith(filter.path.slice(0, -1))
            : entry.path === filter.path)),
    );
  }

  clear(): void {
    this.entries = [];
  }
}

/** Replaces every secret, in each form it can take in a request (see {@link secretForms}). */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  return redactValue(value, secretForms(secrets));
}

function redactValue(value: unknown, forms: readonly string[]): unknown {
  if (typeof value === 'string') return redactString(value, forms);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, forms));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactValue(item, forms)]),
    );
  }
  return value;
}

function redactString(value: string, forms: readonly string[]): string {
  let result = value;
  for (const form of forms) {
    if (result.includes(form)) result = result.split(form).join(REDACTED);
  }
  return result;
}

/**
 * A secret can reach a request raw, percent-encoded or form-encoded, and a raw `+` in a query
 * string reads back as a space; catch every form. Longest first, so that a secret containing
 * another is replaced whole.
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    forms.add(secret.replace(/\+/g, ' '));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
