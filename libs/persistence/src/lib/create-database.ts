import { type BackoffPolicy, PermanentError, RetryableError } from '@hum/common';
import { Secret } from '@hum/config';
import { Kysely, sql } from 'kysely';
import { assertSchemaName } from './schema-name';
import { type DatabaseLogger, silentLogger } from './logger';
import { MIGRATION_LOCK_SPACE } from './migration-lock-adapter';
import {
  type MigrateOptions,
  type MigrationReport,
  type Migrations,
  runMigrations,
} from './migrations';
import { openPGlite } from './pglite/open-pglite';
import { PGliteDialect } from './pglite/pglite-dialect';
import { connectPostgres } from './postgres/connect-postgres';
import { HumPostgresDialect } from './postgres/postgres-dialect';

// Next to the migration lock's key space, so the two never share a key.
const SCHEMA_LOCK_SPACE = MIGRATION_LOCK_SPACE + 1;

export interface DatabaseOptions {
  /** A postgres:// URL (usually DATABASE_URL). Without it the embedded PGlite is used. */
  url?: string | Secret;
  /** Where PGlite keeps its files when there is no `url`; `memory://` keeps nothing. */
  dataDir?: string;
  /** The service's own PostgreSQL schema: created if missing, the only one on its search_path. */
  schema: string;
  /** Pool size on PostgreSQL (PGlite is one session). Default 10. */
  poolMax?: number;
  /** Retries after the first failed connection attempt at start. Default 5. */
  connectRetries?: number;
  /** Per attempt. Default 5 s. */
  connectTimeoutMs?: number;
  /** Backoff between connection attempts; defaults to @hum/common's. */
  connectBackoff?: Partial<Omit<BackoffPolicy, 'maxAttempts'>>;
  logger?: DatabaseLogger;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database<DB> {
  db: Kysely<DB>;
  kind: DatabaseKind;
  schema: string;
  migrate(migrations: Migrations, options?: MigrateOptions): Promise<MigrationReport>;
  /** Resolves when a round trip works; throws {@link RetryableError} otherwise (health checks). */
  ping(): Promise<void>;
  /** Ends the pool (or closes PGlite) once in-flight work has finished. */
  close(): Promise<void>;
}

/**
 * The service's database: PostgreSQL when a URL is configured, the embedded PGlite
 * otherwise, behaving the same way — tables unqualified in the service's own schema.
 */
export async function createDatabase<DB>(options: DatabaseOptions): Promise<Database<DB>> {
  const { schema } = options;
  assertSchemaName(schema);
  const logger = options.logger ?? silentLogger;
  const url = options.url instanceof Secret ? options.url.reveal() : options.url;
  let db: Kysely<DB>;
  let kind: DatabaseKind;
  if (url !== undefined && url !== '') {
    const pool = await connectPostgres({
      url,
      schema,
      poolMax: options.poolMax ?? 10,
      connectRetries: options.connectRetries ?? 5,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      connectBackoff: options.connectBackoff,
      logger,
    });
    db = new Kysely<DB>({ dialect: new HumPostgresDialect({ pool }) });
    kind = 'postgres';
  } else if (options.dataDir !== undefined && options.dataDir !== '') {
    db = new Kysely<DB>({ dialect: new PGliteDialect(await openPGlite(options.dataDir, schema)) });
    kind = 'pglite';
  } else {
    throw new PermanentError('database: set a postgres:// url, or a dataDir for embedded PGlite');
  }
  try {
    await ensureSchema(db, schema);
  } catch (error) {
    await db.destroy();
    throw new PermanentError(`cannot create or find schema "${schema}" (${kind})`, {
      cause: error,
    });
  }
  logger.info({ kind, schema }, 'database ready');
  return {
    db,
    kind,
    schema,
    migrate: (migrations, migrateOptions) =>
      runMigrations(db as Kysely<unknown>, schema, migrations, logger, migrateOptions),
    ping: async () => {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw new RetryableError(`database ping failed (${kind}, schema ${schema})`, {
          cause: error,
        });
      }
    },
    close: () => db.destroy(),
  };
}

/**
 * Creates the schema unless it exists. Checked first, because a locked-down role may lack
 * CREATE on the database while its schema was made for it; locked, because two replicas
 * creating it at once would otherwise collide on pg_namespace.
 */
async function ensureSchema<DB>(db: Kysely<DB>, schema: string): Promise<void> {
  const exists = async (executor: Kysely<DB>): Promise<boolean> => {
    const { rows } = await sql<{ found: number }>`
      select 1 as found from pg_namespace where nspname = ${schema}`.execute(executor);
    return rows.length > 0;
  };
  if (await exists(db)) return;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(SCHEMA_LOCK_SPACE)}, hashtext(${schema}))`.execute(
      trx,
    );
    if (!(await exists(trx))) await sql`create schema ${sql.id(schema)}`.execute(trx);
  });
}
