import { PermanentError } from '@hum/common';
import { redactUrl } from '@hum/config';

/** Where a postgres:// URL points, in words safe to print (the password masked). */
export interface PostgresTarget {
  host: string;
  port: string;
  database: string;
  /** The URL with its password replaced by `***`. */
  masked: string;
  /** Present so messages from foreign errors can be scrubbed of it, never printed. */
  password: string | undefined;
}

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

export function parsePostgresUrl(url: string): PostgresTarget {
  // The URL holds a password: never quote it in these errors, not even partly.
  if (!URL.canParse(url)) {
    throw new PermanentError(
      'database URL is not a valid URL (value hidden: it may hold a password)',
    );
  }
  const parsed = new URL(url);
  if (!PROTOCOLS.has(parsed.protocol)) {
    throw new PermanentError(
      `database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`,
    );
  }
  const user = decodeURIComponent(parsed.username);
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port || '5432',
    // libpq's rule: without a database in the URL, the database named like the user.
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user || '(default)',
    masked: redactUrl(url),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
  };
}

/**
 * The URL with `-c search_path=<schema>` added to the startup options, so every pooled
 * connection starts in the service's schema before any query (no per-checkout SET racing
 * the first statement).
 */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  const existing = parsed.searchParams.get('options');
  const option = `-c search_path=${schema}`;
  parsed.searchParams.set('options', existing ? `${existing} ${option}` : option);
  return parsed.toString();
}
