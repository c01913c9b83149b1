import {
  type BackoffPolicy,
  describeError,
  PermanentError,
  RetriesExhaustedError,
  RetryableError,
  retry,
} from '@hum/common';
import { scrub } from '@hum/config';
import { Pool, type PoolConfig } from 'pg';
import { DatabaseConnectionError } from '../errors';
import type { DatabaseLogger } from '../logger';
import { parsePostgresUrl, type PostgresTarget, withSearchPath } from './postgres-target';

export interface PostgresPoolOptions {
  url: string;
  schema: string;
  poolMax: number;
  connectRetries: number;
  connectTimeoutMs: number;
  connectBackoff?: Partial<Omit<BackoffPolicy, 'maxAttempts'>>;
  logger: DatabaseLogger;
}

// Authentication (28), unknown database (3D) and privileges (42) fail the same way each time.
const PERMANENT_SQLSTATE = /^(28|3D|42)/;

/**
 * A pg pool whose connections start in the service's schema, returned only once a
 * connection has worked: at boot a database still starting (or restarting) is waited for with
 * bounded, jittered retries, then the start fails with {@link DatabaseConnectionError}.
 */
export async function connectPostgres(options: PostgresPoolOptions): Promise<Pool> {
  const target = parsePostgresUrl(options.url);
  const config: PoolConfig = {
    connectionString: withSearchPath(options.url, options.schema),
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: `hum:${options.schema}`,
  };
  const pool = new Pool(config);
  // An idle connection dropped by the server (restart, failover) is discarded by the pool and
  // replaced on next use; queries that were running fail to their callers. Without a
  // listener the event would crash the process.
  pool.on('error', (error) => {
    options.logger.warn(
      { target: target.masked, error: scrub(describeError(error), target.password) },
      'idle PostgreSQL connection failed; the pool replaces it',
    );
  });
  let attempts = 0;
  try {
    await retry(
      async (attempt) => {
        attempts = attempt;
        await probe(pool, target);
      },
      {
        policy: { ...options.connectBackoff, maxAttempts: options.connectRetries + 1 },
        onRetry: (error, attempt, delayMs) => {
          options.logger.warn(
            { target: target.masked, attempt, delayMs, error: reasonOf(error, target) },
            'PostgreSQL not reachable yet; retrying',
          );
        },
      },
    );
  } catch (error) {
    await pool.end();
    throw connectionFailure(error, target, attempts);
  }
  return pool;
}

async function probe(pool: Pool, target: PostgresTarget): Promise<void> {
  try {
    const client = await pool.connect();
    try {
      await client.query('select 1');
    } finally {
      client.release();
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = reasonOf(error, target);
    if (typeof code === 'string' && PERMANENT_SQLSTATE.test(code)) {
      throw new PermanentError(reason, { cause: error });
    }
    throw new RetryableError(reason, { cause: error });
  }
}

function connectionFailure(
  error: unknown,
  target: PostgresTarget,
  attempts: number,
): DatabaseConnectionError {
  const last = error instanceof RetriesExhaustedError ? error.cause : error;
  const underlying =
    last instanceof RetryableError || last instanceof PermanentError ? last.cause : last;
  const where = `${target.host}:${target.port}, database "${target.database}"`;
  return new DatabaseConnectionError(
    `cannot connect to PostgreSQL at ${where} (${target.masked}) after ${attempts} ` +
      `attempt${attempts === 1 ? '' : 's'}: ${reasonOf(underlying, target)}`,
    target.masked,
    attempts,
    { cause: underlying },
  );
}

/**
 * One line about a connection failure. Duck-typed: socket errors come from Node's own realm,
 * and Node's AggregateError (IPv4 and IPv6 both refused) has an empty message but a code.
 */
function reasonOf(error: unknown, target: PostgresTarget): string {
  if (error instanceof RetryableError || error instanceof PermanentError) return error.message;
  const { message, code } = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
  };
  let reason = String(error);
  if (typeof message === 'string' && message !== '') reason = message;
  else if (typeof code === 'string') reason = code;
  return scrub(reason, target.password);
}
