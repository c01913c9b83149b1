import { describeError, PermanentError, retry } from '@hum/common';
import {
  type Kysely,
  type Migration as KyselyMigration,
  type MigrationResult,
  Migrator,
  NO_MIGRATIONS,
  type NoMigrations,
} from 'kysely';
import { MigrationError } from './errors';
import type { DatabaseLogger } from './logger';

export { NO_MIGRATIONS };
export type { NoMigrations };

/** One step of a service's schema; `down` is optional because not every step can be undone. */
export interface Migration {
  up(db: Kysely<unknown>): Promise<void>;
  down?(db: Kysely<unknown>): Promise<void>;
}

/**
 * A service's migrations by name. Names are `NNNN_what_it_does`: they run in name order, and a
 * fixed-width number keeps that order from surprising anyone (`10_x` sorts before `2_x`).
 */
export type Migrations = Readonly<Record<string, Migration>>;

export interface MigrateOptions {
  /** Migrate up or down to this migration, or {@link NO_MIGRATIONS} to undo all; default latest. */
  to?: string | NoMigrations;
}

export interface MigrationReport {
  applied: string[];
  reverted: string[];
}

const MIGRATION_NAME = /^\d{4}_[a-z0-9_]+$/;

/**
 * Runs the service's migrations in one transaction under an advisory lock scoped to its
 * schema: replicas starting together apply each migration once, and a failure rolls back
 * that whole run and names the migration.
 */
export async function runMigrations(
  db: Kysely<unknown>,
  schema: string,
  migrations: Migrations,
  logger: DatabaseLogger,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  for (const name of Object.keys(migrations)) {
    if (!MIGRATION_NAME.test(name)) {
      throw new PermanentError(
        `migration name ${JSON.stringify(name)} must look like 0001_create_tickets`,
      );
    }
  }
  const migrator = new Migrator({
    db,
    migrationTableSchema: schema,
    provider: { getMigrations: () => Promise.resolve(asKyselyMigrations(migrations)) },
  });
  const migrate = () =>
    options.to === undefined ? migrator.migrateToLatest() : migrator.migrateTo(options.to);
  const { error, results = [] } = await retry(
    async () => {
      const outcome = await migrate();
      // The run is one transaction: nothing of it stays behind for the next attempt to trip on.
      if (outcome.error !== undefined && isForeignSchemaDropped(outcome.error, schema))
        throw new ForeignSchemaDropped(outcome.error);
      return outcome;
    },
    {
      policy: { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 1_000 },
      shouldRetry: (e) => e instanceof ForeignSchemaDropped,
    },
  ).catch((e: unknown) => {
    if (e instanceof Error && e.cause instanceof ForeignSchemaDropped)
      return { error: e.cause.cause, results: [] };
    throw e;
  });
  if (error !== undefined) throw migrationFailure(schema, error, results);
  const done = (direction: MigrationResult['direction']): string[] =>
    results
      .filter((result) => result.status === 'Success' && result.direction === direction)
      .map((result) => result.migrationName);
  const report = { applied: done('Up'), reverted: done('Down') };
  if (report.applied.length > 0 || report.reverted.length > 0) {
    logger.info({ schema, ...report }, 'database migrated');
  }
  return report;
}

class ForeignSchemaDropped extends Error {
  constructor(cause: unknown) {
    super('another schema was dropped while the migrator listed tables', { cause });
  }
}

/**
 * Kysely's migrator looks for its own table by listing every schema's tables; a schema another
 * service or test drops during that query fails it with invalid_schema_name (3F000) naming that
 * other schema. Nothing is wrong with ours: the run is worth another attempt.
 */
export function isForeignSchemaDropped(error: unknown, schema: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '3F000' && typeof message === 'string' && !message.includes(`"${schema}"`);
}

function asKyselyMigrations(migrations: Migrations): Record<string, KyselyMigration> {
  return Object.fromEntries(
    Object.entries(migrations).map(([name, migration]) => {
      const { down } = migration;
      const wrapped: KyselyMigration = { up: (db) => migration.up(db) };
      if (down !== undefined) wrapped.down = (db) => down.call(migration, db);
      return [name, wrapped];
    }),
  );
}

function migrationFailure(
  schema: string,
  error: unknown,
  results: readonly MigrationResult[],
): MigrationError {
  const failed = results.find((result) => result.status === 'Error');
  if (failed === undefined) {
    return new MigrationError(
      `migrations of schema "${schema}" could not run: ${describeError(error)}`,
      undefined,
      { cause: error },
    );
  }
  const direction = failed.direction === 'Up' ? 'up' : 'down';
  return new MigrationError(
    `migration ${failed.migrationName} (${direction}) failed in schema "${schema}", ` +
      `the whole run was rolled back: ${describeError(error)}`,
    failed.migrationName,
    { cause: error },
  );
}
