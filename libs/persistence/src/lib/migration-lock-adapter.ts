import { type Kysely, type MigrationLockOptions, PostgresAdapter, sql } from 'kysely';

/** First key of hum's two-key advisory locks (`hum` in ASCII), apart from other apps' locks. */
export const MIGRATION_LOCK_SPACE = 0x68756d;

const LOCK_TIMEOUT_MS = 60 * 60 * 1_000;

/**
 * kysely's Postgres adapter takes one advisory lock for every migrator in the database; this
 * one keys it by the service's schema, so replicas of one service migrate one at a time while
 * different services sharing a database do not wait for each other.
 */
export class SchemaScopedPostgresAdapter extends PostgresAdapter {
  override async acquireMigrationLock(
    db: Kysely<unknown>,
    options: MigrationLockOptions,
  ): Promise<void> {
    // set_config(..., true) scopes the timeout to this statement: a replica waits for a long
    // migration instead of failing its start, but not forever.
    await sql`
      with lock_timeout as (
        select set_config('lock_timeout', ${sql.lit(String(LOCK_TIMEOUT_MS))}, true)
      )
      select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_SPACE)}, hashtext(${lockName(options)}))
      from lock_timeout`.execute(db);
  }

  override async releaseMigrationLock(
    db: Kysely<unknown>,
    options: MigrationLockOptions,
  ): Promise<void> {
    await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_SPACE)}, hashtext(${lockName(options)}))`.execute(
      db,
    );
  }
}

function lockName(options: MigrationLockOptions): string {
  return options.lockTableSchema ?? 'public';
}
